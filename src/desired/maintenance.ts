/**
 * The partition maintenance function `<schema>.<table>_maintain_partitions(p_today)`.
 * It rolls the window forward the same way the generator computes it
 * (window.ts), so a scheduled call keeps a running database where `specql
 * apply` would put it:
 *
 * 1. retention: partitions whose upper bound is at or before the cutoff are
 *    DETACHed (plain DETACH: DETACH CONCURRENTLY can neither run in a function
 *    nor coexist with a DEFAULT partition) under a short lock_timeout, and
 *    moved whole into the archive schema with SET SCHEMA. Rows are never
 *    copied and deleted, so none can be lost between two statements;
 * 2. creation: every missing partition up to today + premake is created
 *    standalone (LIKE the parent), rows waiting in the DEFAULT partition for
 *    its range are moved in (one DELETE … RETURNING feeding the INSERT), and
 *    it is ATTACHed, its child indexes renamed `<partition>_<index>`
 *    (./partition-index-names.ts). The parent is held in EXCLUSIVE mode meanwhile: reads
 *    continue, writes wait for the commit and then see the new partition.
 *    (CREATE TABLE … PARTITION OF would take ACCESS EXCLUSIVE, blocking
 *    readers too, and fail outright if DEFAULT held rows of the range.)
 * 3. late rows: whatever still waits in DEFAULT gets its partition the same
 *    way, or goes to the archive when older than retention (./late-rows.ts).
 *
 * Everything happens in the caller's transaction: any error rolls all of it back.
 */
import { GENERATED_EXPRESSIONS } from '../model/expression';
import type { PartitionInterval } from '../spec/model';
import type { CronJobObject, FunctionObject, MaintenanceSchedule, QualifiedName } from '../model/objects';
import { MAX_IDENTIFIER_BYTES, byteLength, qualify, quoteLiteral } from '../model/ident';
import { PARTITION_SUFFIX_FORMAT, defaultPartitionName, maintainJobName, maintainPartitionsFunctionName, partitionSuffix } from './naming';
import { intervalStart } from './window';
import { lateRowsBlock } from './late-rows';
import { RENAME_CHILD_INDEX_DECLARATIONS, renameChildIndexesLines, shortenNameLines } from './partition-index-names';

export const MAINTENANCE_LOCK_TIMEOUT = '5s';

/** `date_trunc` field and interval step per partition interval. */
const TRUNC_FIELD: Readonly<Record<PartitionInterval, string>> = {
  daily: 'day',
  weekly: 'week',
  monthly: 'month',
  yearly: 'year',
};
const STEP: Readonly<Record<PartitionInterval, string>> = {
  daily: '1 day',
  weekly: '7 days',
  monthly: '1 month',
  yearly: '1 year',
};

export interface MaintenanceInput {
  readonly table: QualifiedName;
  readonly interval: PartitionInterval;
  readonly column: string;
  /** Partition key type (format_type spelling): the bounds are compared in it. */
  readonly columnType: string;
  readonly start: string;
  readonly premake: number;
  readonly retention: number | null;
  readonly archiveSchema: string;
  readonly defaultPartition: boolean;
}

/** The plpgsql mirror of fitIdentifier, emitted only when partition names can exceed 63 bytes. */
function shortenNameBlock(): string[] {
  return shortenNameLines('v_name', 'v_hash');
}

export function maintenanceBody(input: MaintenanceInput): string {
  const { table, interval } = input;
  const parent = qualify(table.schema, table.name);
  const defaultName = input.defaultPartition ? defaultPartitionName(table.name) : null;
  const start = intervalStart(interval, input.start);
  const needsShortening =
    byteLength(`${table.name}_p${partitionSuffix(interval, start)}`) > MAX_IDENTIFIER_BYTES;
  const lockKey = `specql:maintain_partitions:${table.schema}.${table.name}`;
  const boundType = input.columnType;

  const declare = [
    'DECLARE',
    `  v_parent constant text := ${quoteLiteral(parent)};`,
    `  v_parent_oid constant oid := ${quoteLiteral(parent)}::regclass;`,
    `  v_schema constant text := ${quoteLiteral(table.schema)};`,
    `  v_archive_schema constant text := ${quoteLiteral(input.archiveSchema)};`,
    `  v_column constant text := ${quoteLiteral(input.column)};`,
    `  v_default constant text := ${defaultName === null ? 'NULL' : quoteLiteral(qualify(table.schema, defaultName))};`,
    `  v_step constant interval := ${quoteLiteral(STEP[interval])};`,
    `  v_current constant date := date_trunc(${quoteLiteral(TRUNC_FIELD[interval])}, p_today::timestamp)::date;`,
    `  -- Partitions up to the one containing today, plus ${input.premake} ahead.`,
    `  v_until constant date := (v_current + ${input.premake + 1} * v_step)::date;`,
    input.retention === null
      ? '  v_cutoff constant date := NULL;  -- no retention: partitions are kept forever'
      : `  v_cutoff constant date := (v_current - ${input.retention} * v_step)::date;`,
    `  v_first date := ${quoteLiteral(start)}::date;`,
    '  v_saved_lock_timeout constant text := current_setting(\'lock_timeout\');',
    '  v_saved_datestyle constant text := current_setting(\'datestyle\');',
    '  v_from date;',
    '  v_to date;',
    '  v_name text;',
    ...(needsShortening ? ['  v_hash text;'] : []),
    '  v_lower text;',
    '  v_upper text;',
    '  v_moved bigint;',
    '  v_partition record;',
    '  v_done text[] := ARRAY[]::text[];',
    ...RENAME_CHILD_INDEX_DECLARATIONS,
    // issue 10 (late rows): whether DEFAULT holds rows.
    ...(defaultName === null ? [] : ['  v_late boolean;']),
  ];

  const retention =
    input.retention === null
      ? []
      : [
          '',
          '  -- 1. Retention: detach whole partitions that end at or before the cutoff and',
          '  --    move them into the archive schema (no row is copied, so none can be lost).',
          '  FOR v_partition IN',
          '    SELECT n.nspname AS schema, c.relname AS name,',
          `           substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \\(''([^'']+)''\\)') AS upper_bound`,
          '    FROM pg_inherits i',
          '    JOIN pg_class c ON c.oid = i.inhrelid',
          '    JOIN pg_namespace n ON n.oid = c.relnamespace',
          '    WHERE i.inhparent = v_parent_oid',
          '    ORDER BY c.relname',
          '  LOOP',
          `    CONTINUE WHEN v_partition.upper_bound IS NULL`,
          `      OR v_partition.upper_bound::${boundType} > (to_char(v_cutoff, 'YYYY-MM-DD') || ' 00:00:00+00')::${boundType};`,
          "    EXECUTE format('ALTER TABLE %s DETACH PARTITION %I.%I', v_parent, v_partition.schema, v_partition.name);",
          "    EXECUTE format('ALTER TABLE %I.%I SET SCHEMA %I', v_partition.schema, v_partition.name, v_archive_schema);",
          "    v_done := v_done || format('archived %I.%I into %I', v_partition.schema, v_partition.name, v_archive_schema);",
          '  END LOOP;',
          '  v_first := greatest(v_first, v_cutoff);',
        ];

  const moveRows = [
          '      -- Rows that arrived early wait in DEFAULT; move them in, or ATTACH would fail.',
          "      EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO %I.%I SELECT * FROM moved',",
          '                     v_default, v_column, v_lower, v_column, v_upper, v_schema, v_name);',
    '      GET DIAGNOSTICS v_moved = ROW_COUNT;',
  ];

  const creation = [
    '',
    `  -- 2. Create the missing partitions in [first, until), oldest first.`,
    '  v_from := v_first;',
    '  WHILE v_from < v_until LOOP',
    '    v_to := (v_from + v_step)::date;',
    `    v_name := ${quoteLiteral(`${table.name}_p`)} || to_char(v_from, ${quoteLiteral(PARTITION_SUFFIX_FORMAT[interval])});`,
    ...(needsShortening ? shortenNameBlock() : []),
    '    IF NOT EXISTS (',
    '      SELECT 1',
    '      FROM pg_inherits i',
    '      JOIN pg_class c ON c.oid = i.inhrelid',
    '      WHERE i.inhparent = v_parent_oid AND c.relname = v_name',
    '    ) THEN',
    "      v_lower := to_char(v_from, 'YYYY-MM-DD') || ' 00:00:00+00';",
    "      v_upper := to_char(v_to, 'YYYY-MM-DD') || ' 00:00:00+00';",
    '      -- EXCLUSIVE on the parent: readers continue; writers wait until we commit and then',
    '      -- route by the new partition bounds (an INSERT already routed to DEFAULT would fail',
    '      -- its partition check after ATTACH). Parent first, then partition: the order INSERTs',
    '      -- lock in, so no deadlock.',
    "      EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', v_parent);",
    ...(defaultName === null
      ? []
      : [
          '      -- Also direct writes into DEFAULT wait until we commit.',
          "      EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', v_default);",
        ]),
    "      EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)',",
    '                     v_schema, v_name, v_parent);',
    ...(defaultName === null ? ['      v_moved := 0;'] : moveRows),
    "      EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',",
    '                     v_parent, v_schema, v_name, v_lower, v_upper);',
    ...renameChildIndexesLines('      '),
    "      v_done := v_done || CASE WHEN v_moved > 0",
    "        THEN format('created %I.%I (moved %s rows from DEFAULT)', v_schema, v_name, v_moved)",
    "        ELSE format('created %I.%I', v_schema, v_name) END;",
    '    END IF;',
    '    v_from := v_to;',
    '  END LOOP;',
  ];

  const body = [
    ...declare,
    'BEGIN',
    "  IF p_today IS NULL THEN",
    "    RAISE EXCEPTION 'p_today must not be NULL';",
    '  END IF;',
    '  -- One run per table at a time: a second caller waits here, then finds nothing to do.',
    `  PERFORM pg_advisory_xact_lock(hashtext(${quoteLiteral(lockKey)}));`,
    '  -- Fail fast (and retry later) rather than queue every reader behind an ACCESS EXCLUSIVE request.',
    `  SET LOCAL lock_timeout = ${quoteLiteral(MAINTENANCE_LOCK_TIMEOUT)};`,
    '  -- Partition bounds are read back as text: make their format independent of the session.',
    "  SET LOCAL datestyle = 'ISO, YMD';",
    ...retention,
    ...creation,
    // issue 10 (late rows): DEFAULT ends empty.
    ...(defaultName === null
      ? []
      : lateRowsBlock({ table, interval, columnType: input.columnType, shortenName: needsShortening ? shortenNameBlock() : [] })),
    '',
    '  -- SET LOCAL lasts until the end of the caller\'s transaction: give the caller its settings back.',
    "  PERFORM set_config('lock_timeout', v_saved_lock_timeout, true);",
    "  PERFORM set_config('datestyle', v_saved_datestyle, true);",
    '  IF cardinality(v_done) = 0 THEN',
    "    RETURN 'nothing to do';",
    '  END IF;',
    "  RETURN array_to_string(v_done, '; ');",
    'END;',
  ];
  return body.join('\n');
}

export function maintenanceFunction(input: MaintenanceInput): FunctionObject {
  const name = maintainPartitionsFunctionName(input.table.schema, input.table.name);
  return {
    kind: 'function',
    schema: name.schema,
    name: name.name,
    args: [{ name: 'p_today', type: 'date', default: GENERATED_EXPRESSIONS.todayUtc }],
    returns: 'text',
    language: 'plpgsql',
    body: maintenanceBody(input),
    volatility: 'volatile',
    securityDefiner: true,
    searchPath: 'pg_catalog, pg_temp',
    revokePublic: true,
    purpose: 'partition maintenance',
  };
}

/**
 * When the maintenance runs: daily at 00:05 GMT (pg_cron's time zone), just
 * after a daily partition's boundary; premake keeps the next partitions ready,
 * so the exact minute does not matter.
 */
export const MAINTENANCE_CRON = '5 0 * * *';

/** The SQL a scheduler runs: the function's default argument is today in UTC. */
export const maintenanceCommand = (fn: FunctionObject): string => `SELECT ${qualify(fn.schema, fn.name)}();`;

/** The pg_cron job (pg_partman's upkeep, done with pg_cron) for one partitioned table. */
export function maintenanceCronJob(table: QualifiedName, fn: FunctionObject): CronJobObject {
  return { kind: 'cron_job', name: maintainJobName(table.schema, table.name), schedule: MAINTENANCE_CRON, command: maintenanceCommand(fn) };
}

export function maintenanceSchedule(table: QualifiedName, fn: FunctionObject, pgCron: boolean): MaintenanceSchedule {
  return {
    function: `${fn.schema}.${fn.name}`,
    cron: MAINTENANCE_CRON,
    runner: pgCron ? 'pg_cron' : 'worker',
    jobName: maintainJobName(table.schema, table.name),
    command: maintenanceCommand(fn),
  };
}
