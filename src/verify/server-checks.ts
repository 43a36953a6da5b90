/**
 * The checks that run inside the database, as plpgsql blocks. The same block
 * runs in `specql verify` (a temporary function in a transaction that is
 * rolled back) and in the pgTAP test functions (pgTAP rolls each test back).
 * A block sets v_ok, v_measured and v_details; an error in it is a failed
 * check whose measured value is the error (./wrap.ts catches it).
 *
 * Timings are server-side (clock_timestamp), so they measure the database,
 * not the network: the same number in `specql verify` and in pgTAP.
 */
import type { BulkOperationAction, EntitySpec, IndexSpec, MaterializedViewSpec, WorkflowAction } from '../spec/model';
import { formatDuration } from '../spec/verify-settings';
import { insertTriggerName, processFunctionName } from '../desired/actions/names';
import { defaultPartitionName } from '../desired/naming';
import { fitIdentifier, qualify, quoteIdent, quoteLiteral } from '../model/ident';
import type { ServerCheck } from './types';
import { UNDO_SQLSTATE } from './wrap';
import {
  asColumnType,
  columnPattern,
  insertRowsSql,
  intervalNoun,
  partitionBoundsQuery,
  rowsSql,
  sampleValue,
  tableOf,
  windowSql,
} from './sql';

const STANDARD = ['v_from timestamptz', 'v_to timestamptz', 'v_rows jsonb', 'v_t timestamptz', 'v_ms numeric', 'v_plan jsonb', 'v_n bigint', 'v_text text'];
const ELAPSED_MS = 'v_ms := extract(epoch FROM clock_timestamp() - v_t) * 1000;';
const MS_TEXT = "round(v_ms, 1) || ' ms'";

const thousands = (n: number): string => n.toLocaleString('en-US');
const partitionColumnType = (entity: EntitySpec): string => entity.fields.find((f) => f.name === entity.partitioning?.column)?.type ?? 'timestamp with time zone';

function check(entity: EntitySpec, kind: ServerCheck['kind'], description: string, block: string[], timeoutMs: number, declarations: string[] = []): ServerCheck {
  return { where: 'server', kind, entity: entity.entity, schema: entity.schema, description, declarations: [...STANDARD, ...declarations], block: block.join('\n'), timeoutMs };
}

/** 1. The bulk function loads `bulk_rows` synthetic rows within its budget. */
export function bulkLoadCheck(entity: EntitySpec, action: BulkOperationAction): ServerCheck {
  const { bulkRows, bulkLoadMs } = entity.verify;
  const fn = qualify(entity.schema, fitIdentifier(action.name));
  return check(entity, 'bulk_load', `${entity.entity}: ${action.name} loads ${thousands(bulkRows)} rows in < ${formatDuration(bulkLoadMs)}`, [
    windowSql(entity),
    rowsSql(entity, bulkRows),
    'v_t := clock_timestamp();',
    `v_n := ${fn}(v_rows);`,
    ELAPSED_MS,
    `v_ok := v_n = ${bulkRows} AND v_ms < ${bulkLoadMs};`,
    `v_measured := ${MS_TEXT} || ' for ' || coalesce(v_n::text, 'NULL') || ' rows';`,
    `IF v_n IS DISTINCT FROM ${bulkRows} THEN`,
    `  v_details := 'the function returned ' || coalesce(v_n::text, 'NULL') || ', expected ${bulkRows}';`,
    'END IF;',
  ], bulkLoadMs + 60_000);
}

/** The column an index condition must use for the scan to count as "through the index". */
function leadingColumn(entity: EntitySpec, index: IndexSpec | null): string {
  const partitionColumn = entity.partitioning!.column;
  return index?.columns.find((c) => c.column !== partitionColumn)?.column ?? partitionColumn;
}

/**
 * 2. A query on one interval scans only that interval's partition and reads it
 * through an index. EXPLAIN runs with enable_seqscan off: the question is
 * whether an index *can* serve the query on every partition it touches, which
 * does not depend on how many rows happen to be there today.
 */
export function partitionPruningCheck(entity: EntitySpec, index: IndexSpec | null): ServerCheck {
  const p = entity.partitioning!;
  const type = partitionColumnType(entity);
  const others = (index?.columns ?? []).map((c) => c.column).filter((c) => c !== p.column);
  const lead = leadingColumn(entity, index);
  const predicates = [`${quoteIdent(p.column)} >= $1`, `${quoteIdent(p.column)} < $2`, ...others.map((c, i) => `${quoteIdent(c)} = $${i + 3}`)];
  const params = [asColumnType('v_from', type), asColumnType('v_to', type), ...others.map((c) => sampleValue(entity, c))];
  const explain = `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${tableOf(entity)} WHERE ${predicates.join(' AND ')}`;
  const pattern = quoteLiteral(columnPattern(lead));
  const on = index ? `(${index.columns.map((c) => c.column).join(', ')})` : `(${p.column})`;
  const noun = intervalNoun(p.interval);
  return check(entity, 'partition_pruning', `${entity.entity}: a one-${noun} query on ${on} reads only that ${noun}'s partition, through an index`, [
    windowSql(entity),
    "v_text := current_setting('enable_seqscan');",
    "PERFORM set_config('enable_seqscan', 'off', true);",
    `EXECUTE ${quoteLiteral(explain)}`,
    `  USING ${params.join(', ')}`,
    '  INTO v_plan;',
    "PERFORM set_config('enable_seqscan', v_text, true);",
    "SELECT coalesce(array_agg(DISTINCT r.name ORDER BY r.name), '{}') INTO v_scanned",
    `FROM jsonb_path_query(v_plan, 'strict $.**."Relation Name"') AS x, LATERAL (SELECT x #>> '{}' AS name) AS r;`,
    "SELECT coalesce(array_agg(b.name ORDER BY b.name), '{}') INTO v_expected",
    `FROM (${partitionBoundsQuery(entity)}) AS b`,
    `WHERE NOT b.is_default AND b.lower_bound < ${asColumnType('v_to', type)} AND b.upper_bound > ${asColumnType('v_from', type)};`,
    "SELECT coalesce(array_agg(n.node ->> 'Relation Name' ORDER BY 1), '{}'),",
    "       string_agg((n.node ->> 'Relation Name') || ' (' || (n.node ->> 'Node Type')",
    "         || coalesce(' on ' || (SELECT string_agg(DISTINCT i #>> '{}', ', ') FROM jsonb_path_query(n.node, 'strict $.**.\"Index Name\"') AS i), '') || ')', '; ')",
    '  INTO v_unindexed, v_how',
    "FROM jsonb_path_query(v_plan, 'strict $.** ? (exists(@.\"Relation Name\"))') AS n(node)",
    'WHERE NOT EXISTS (',
    "  SELECT 1 FROM jsonb_path_query(n.node, 'strict $.** ? (exists(@.\"Index Cond\"))') AS c(node)",
    `  WHERE (c.node ->> 'Index Cond') ~ ${pattern});`,
    "SELECT string_agg((n.node ->> 'Relation Name') || ' (' || (n.node ->> 'Node Type')",
    "         || coalesce(' on ' || (SELECT string_agg(DISTINCT i #>> '{}', ', ') FROM jsonb_path_query(n.node, 'strict $.**.\"Index Name\"') AS i), '') || ')', '; ')",
    '  INTO v_text',
    "FROM jsonb_path_query(v_plan, 'strict $.** ? (exists(@.\"Relation Name\"))') AS n(node);",
    'v_ok := cardinality(v_expected) > 0 AND v_scanned = v_expected AND cardinality(v_unindexed) = 0;',
    "v_measured := 'scanned ' || coalesce(v_text, 'nothing');",
    'IF cardinality(v_expected) = 0 THEN',
    "  v_details := 'no partition covers ' || v_from || ' .. ' || v_to;",
    'ELSIF v_scanned <> v_expected THEN',
    "  v_details := 'expected only ' || array_to_string(v_expected, ', ');",
    'ELSIF cardinality(v_unindexed) > 0 THEN',
    `  v_details := 'no index condition on ${lead.replace(/'/g, "''")} when reading ' || v_how;`,
    'END IF;',
  ], 60_000, ['v_scanned text[]', 'v_expected text[]', 'v_unindexed text[]', 'v_how text']);
}

/** 3. The view refreshes (concurrently when its strategy says so) within its budget. */
export function viewRefreshCheck(entity: EntitySpec, view: MaterializedViewSpec): ServerCheck {
  const concurrent = view.refreshStrategy === 'concurrent';
  const name = qualify(entity.schema, fitIdentifier(view.name));
  const budget = entity.verify.refreshMs;
  return check(entity, 'view_refresh', `${entity.entity}: REFRESH MATERIALIZED VIEW ${concurrent ? 'CONCURRENTLY ' : ''}${view.name} completes in < ${formatDuration(budget)}`, [
    'v_t := clock_timestamp();',
    `REFRESH MATERIALIZED VIEW ${concurrent ? 'CONCURRENTLY ' : ''}${name};`,
    ELAPSED_MS,
    `v_ok := v_ms < ${budget};`,
    `v_measured := ${MS_TEXT};`,
  ], budget * 2 + 60_000);
}

/**
 * 5. Per-row insert time with the workflow trigger ÷ without it, on the same
 * rows: best of five rounds each (each after a small warm-up insert), every
 * insert undone; "without" disables the
 * trigger inside a subtransaction that is rolled back (it holds a SHARE ROW
 * EXCLUSIVE lock on the table for that one insert).
 */
export function triggerOverheadCheck(entity: EntitySpec, action: WorkflowAction): ServerCheck {
  const { bulkRows, triggerOverhead } = entity.verify;
  const undo = [`  RAISE EXCEPTION 'undo' USING ERRCODE = '${UNDO_SQLSTATE}';`, `EXCEPTION WHEN SQLSTATE '${UNDO_SQLSTATE}' THEN NULL;`, 'END;'];
  const trigger = quoteIdent(insertTriggerName(action.name));
  // A few rows first, undone at once: the ALTER TABLE (and the undo of the previous
  // round's) invalidates the cached table descriptions, which the first insert rebuilds.
  const warmUp = [
    '  BEGIN',
    ...insertRowsSql(entity, 'v_warm').split('\n').map((l) => `    ${l}`),
    `    RAISE EXCEPTION 'undo' USING ERRCODE = '${UNDO_SQLSTATE}';`,
    `  EXCEPTION WHEN SQLSTATE '${UNDO_SQLSTATE}' THEN NULL;`,
    '  END;',
  ];
  return check(entity, 'trigger_overhead', `${entity.entity}: inserts with the ${action.name} trigger cost at most ${triggerOverhead}× per row of inserts without it`, [
    windowSql(entity),
    rowsSql(entity, bulkRows),
    "v_text := current_setting('lock_timeout');",
    "PERFORM set_config('lock_timeout', '2s', true);",
    "v_warm := jsonb_path_query_array(v_rows, '$[0 to 9]');",
    'FOR v_round IN 1..5 LOOP',
    'BEGIN',
    ...warmUp,
    '  v_t := clock_timestamp();',
    ...insertRowsSql(entity).split('\n').map((l) => `  ${l}`),
    `  ${ELAPSED_MS}`,
    '  v_with := least(v_with, v_ms);',
    ...undo,
    'BEGIN',
    `  ALTER TABLE ${tableOf(entity)} DISABLE TRIGGER ${trigger};`,
    ...warmUp,
    '  v_t := clock_timestamp();',
    ...insertRowsSql(entity).split('\n').map((l) => `  ${l}`),
    `  ${ELAPSED_MS}`,
    '  v_without := least(v_without, v_ms);',
    ...undo,
    'END LOOP;',
    "PERFORM set_config('lock_timeout', v_text, true);",
    'v_ratio := round(v_with / greatest(v_without, 0.001), 2);',
    `v_ok := v_ratio <= ${triggerOverhead};`,
    `v_measured := v_ratio || '× (per row ' || round(v_with / ${bulkRows}, 4) || ' ms with the trigger, ' || round(v_without / ${bulkRows}, 4) || ' ms without, ${bulkRows} rows)';`,
  ], 120_000, ['v_round int', 'v_with numeric', 'v_without numeric', 'v_ratio numeric', 'v_warm jsonb']);
}

export interface AnalyticsQuery {
  readonly label: string;
  /** A SELECT whose $1/$2 (when `windowed`) are the interval's bounds in the column's type. */
  readonly sql: string;
  readonly windowed: boolean;
}

const sums = (entity: EntitySpec): string[] =>
  entity.fields
    .filter((f) => /^(smallint|integer|bigint|numeric|real|double precision)/.test(f.type) && !entity.primaryKey.includes(f.name))
    .slice(0, 3)
    .map((f) => `sum(${quoteIdent(f.name)}) AS ${quoteIdent(`sum_${f.name}`)}`);

/** The analytics queries the spec implies: per index of the table, and a page of the view in key order. */
export function analyticsQueries(entity: EntitySpec): AnalyticsQuery[] {
  const table = tableOf(entity);
  const out: AnalyticsQuery[] = [];
  const p = entity.partitioning;
  if (p) {
    const pc = quoteIdent(p.column);
    const noun = intervalNoun(p.interval);
    const indexes: (IndexSpec | null)[] = entity.indexes.length ? [...entity.indexes] : [null];
    for (const index of indexes) {
      const others = (index?.columns ?? []).map((c) => c.column).filter((c) => c !== p.column);
      const [first, ...rest] = others;
      const groupCols = rest.map(quoteIdent);
      const where = [`${pc} >= $1`, `${pc} < $2`];
      if (first !== undefined) {
        // A value that is really there this interval (a constant of our own would find nothing).
        where.push(`${quoteIdent(first)} = (SELECT ${quoteIdent(first)} FROM ${table} WHERE ${pc} >= $1 AND ${pc} < $2 AND ${quoteIdent(first)} IS NOT NULL LIMIT 1)`);
      }
      const select = [`date_trunc('day', ${pc}) AS day`, ...groupCols, 'count(*) AS n', ...sums(entity)];
      out.push({
        label: `one ${noun} ${first ? `of one ${first} ` : ''}by day${rest.length ? `, ${rest.join(', ')}` : ''}${index ? ` (${index.name})` : ''}`,
        sql: `SELECT ${select.join(', ')} FROM ${table} WHERE ${where.join(' AND ')} GROUP BY ${[1, ...groupCols.map((_, i) => i + 2)].join(', ')} ORDER BY 1`,
        windowed: true,
      });
    }
  } else {
    for (const index of entity.indexes) {
      const order = index.columns.map((c) => `${quoteIdent(c.column)}${c.descending ? ' DESC' : ''}`).join(', ');
      const first = quoteIdent(index.columns[0]!.column);
      out.push(
        index.method === 'btree'
          ? { label: `top 100 by ${index.columns.map((c) => `${c.column}${c.descending ? ' DESC' : ''}`).join(', ')} (${index.name})`, sql: `SELECT * FROM ${table} ORDER BY ${order} LIMIT 100`, windowed: false }
          : { label: `rows of one ${index.columns[0]!.column} (${index.name})`, sql: `SELECT * FROM ${table} WHERE ${first} = (SELECT ${first} FROM ${table} LIMIT 1) LIMIT 100`, windowed: false },
      );
    }
  }
  const view = entity.materializedView;
  if (view && view.uniqueKey.length > 0) {
    out.push({
      label: `${view.name} in key order (${view.uniqueKey.join(', ')}), first 100 rows`,
      sql: `SELECT * FROM ${qualify(entity.schema, fitIdentifier(view.name))} ORDER BY ${view.uniqueKey.map(quoteIdent).join(', ')} LIMIT 100`,
      windowed: false,
    });
  }
  return out;
}

/** 6. One analytics query answers within the query budget. */
export function analyticsQueryCheck(entity: EntitySpec, query: AnalyticsQuery): ServerCheck {
  const budget = entity.verify.queryMs;
  const type = partitionColumnType(entity);
  return check(entity, 'analytics_query', `${entity.entity}: ${query.label} answers in < ${formatDuration(budget)}`, [
    windowSql(entity),
    'v_t := clock_timestamp();',
    `EXECUTE ${quoteLiteral(query.sql)}${query.windowed ? ` USING ${asColumnType('v_from', type)}, ${asColumnType('v_to', type)}` : ''};`,
    'GET DIAGNOSTICS v_n = ROW_COUNT;',
    ELAPSED_MS,
    `v_ok := v_ms < ${budget};`,
    `v_measured := ${MS_TEXT} || ', ' || v_n || ' rows';`,
  ], budget * 2 + 60_000);
}

/**
 * 7. A bulk load (and the queue processor it feeds) writes no temporary files
 * at the session's work_mem: the temp blocks EXPLAIN (ANALYZE, BUFFERS) counts
 * for the statement, nested statements included.
 */
export function tempSpillCheck(entity: EntitySpec, action: BulkOperationAction): ServerCheck {
  const { bulkRows } = entity.verify;
  const fn = qualify(entity.schema, fitIdentifier(action.name));
  const asyncFlow = entity.actions.find((a): a is WorkflowAction => a.kind === 'workflow' && a.hints.asyncExecution);
  const processor = asyncFlow ? qualify(entity.schema, processFunctionName(asyncFlow.name)) : null;
  const blocks = "coalesce((v_plan -> 0 -> 'Plan' ->> 'Temp Written Blocks')::bigint, 0)";
  return check(entity, 'temp_spill', `${entity.entity}: ${action.name} with ${thousands(bulkRows)} rows${processor ? ` and the ${asyncFlow!.name} queue processor` : ''} spill no temporary files at work_mem`, [
    windowSql(entity),
    rowsSql(entity, bulkRows),
    `EXECUTE ${quoteLiteral(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT ${fn}($1)`)} USING v_rows INTO v_plan;`,
    `v_n := ${blocks};`,
    ...(processor
      ? [`EXECUTE ${quoteLiteral(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT ${processor}()`)} INTO v_plan;`, `v_processor := ${blocks};`]
      : ['v_processor := 0;']),
    "v_bytes := (v_n + v_processor) * current_setting('block_size')::bigint;",
    'v_ok := v_bytes = 0;',
    "v_measured := v_bytes || ' temp bytes at work_mem ' || current_setting('work_mem')",
    `  || ' (bulk load ' || v_n * current_setting('block_size')::bigint${processor ? " || ', queue processor ' || v_processor * current_setting('block_size')::bigint" : ''} || ')';`,
    "IF NOT v_ok THEN v_details := 'raise work_mem for the loading role, or load smaller batches'; END IF;",
  ], 120_000, ['v_processor bigint', 'v_bytes bigint']);
}

/** S1. A declared index exists and is valid on the table and on every partition. */
export function indexValidCheck(entity: EntitySpec, indexName: string, on: 'table' | 'view'): ServerCheck {
  const name = fitIdentifier(indexName);
  const relation = on === 'view' ? qualify(entity.schema, fitIdentifier(entity.materializedView!.name)) : tableOf(entity);
  const what = on === 'view' ? `the unique key index ${name} of ${entity.materializedView!.name}` : `index ${name}`;
  const partitioned = on === 'table' && entity.partitioning !== null;
  const find = [
    "SELECT c.oid, x.indisvalid AND x.indisready INTO v_index, v_valid",
    'FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index x ON x.indexrelid = c.oid',
    `WHERE n.nspname = ${quoteLiteral(entity.schema)} AND c.relname = ${quoteLiteral(name)} AND x.indrelid = ${quoteLiteral(relation)}::regclass;`,
  ];
  const body = partitioned
    ? [
        ...find,
        'IF v_index IS NULL THEN',
        "  v_ok := false; v_measured := 'missing';",
        'ELSE',
        '  SELECT count(*), count(*) FILTER (WHERE s.covered), string_agg(s.name, \', \' ORDER BY s.name) FILTER (WHERE NOT s.covered)',
        '    INTO v_n, v_covered, v_text',
        '  FROM (',
        '    SELECT c.relname::text AS name, EXISTS (',
        '      SELECT 1 FROM pg_partition_tree(v_index) AS i JOIN pg_index x ON x.indexrelid = i.relid',
        '      WHERE x.indrelid = p.relid AND x.indisvalid AND x.indisready) AS covered',
        `    FROM pg_partition_tree(${quoteLiteral(relation)}::regclass) AS p JOIN pg_class c ON c.oid = p.relid`,
        '    WHERE p.isleaf AND p.level > 0) AS s;',
        '  v_ok := v_valid AND v_text IS NULL;',
        "  v_measured := 'valid on ' || v_covered || ' of ' || v_n || ' partitions' || CASE WHEN v_valid THEN '' ELSE ', parent index invalid' END;",
        "  IF v_text IS NOT NULL THEN v_details := 'missing or invalid on ' || v_text; END IF;",
        'END IF;',
      ]
    : [...find, 'v_ok := coalesce(v_valid, false);', "v_measured := CASE WHEN v_index IS NULL THEN 'missing' WHEN v_valid THEN 'valid' ELSE 'invalid' END;"];
  return check(entity, 'indexes_valid', `${entity.entity}: ${what} exists and is valid${partitioned ? ' on every partition' : ''}`, body, 60_000, ['v_index oid', 'v_valid boolean', 'v_covered bigint']);
}

/** S2. At least `premake` partitions beyond the current interval exist. */
export function futurePartitionsCheck(entity: EntitySpec, premake: number): ServerCheck {
  const type = partitionColumnType(entity);
  return check(entity, 'future_partitions', `${entity.entity}: at least ${premake} future partition${premake === 1 ? '' : 's'} ready (premake)`, [
    windowSql(entity),
    'SELECT count(*), max(b.upper_bound)::text INTO v_n, v_text',
    `FROM (${partitionBoundsQuery(entity)}) AS b`,
    `WHERE NOT b.is_default AND b.lower_bound >= ${asColumnType('v_to', type)};`,
    `v_ok := v_n >= ${premake};`,
    `v_measured := v_n || ' future partition' || CASE WHEN v_n = 1 THEN '' ELSE 's' END || coalesce(', the last ending ' || v_text, '');`,
    `IF NOT v_ok THEN v_details := 'run specql maintain (or the worker) to create them'; END IF;`,
  ], 60_000);
}

/** S3. The DEFAULT partition holds no rows. */
export function defaultEmptyCheck(entity: EntitySpec): ServerCheck {
  const name = defaultPartitionName(fitIdentifier(entity.table));
  const qualified = qualify(entity.schema, name);
  return check(entity, 'default_empty', `${entity.entity}: the DEFAULT partition ${name} is empty`, [
    `IF to_regclass(${quoteLiteral(qualified)}) IS NULL THEN`,
    `  v_ok := false; v_measured := 'no DEFAULT partition ${name.replace(/'/g, "''")}';`,
    'ELSE',
    `  EXECUTE ${quoteLiteral(`SELECT count(*) FROM ${qualified}`)} INTO v_n;`,
    '  v_ok := v_n = 0;',
    "  v_measured := v_n || ' rows';",
    "  IF v_n > 0 THEN v_details := 'rows outside the partition window wait there: run specql maintain to move them into their partitions'; END IF;",
    'END IF;',
  ], 120_000);
}

/** S4. Every SECURITY DEFINER function in the specs' schemas pins search_path. */
export function definerSearchPathCheck(schema: string): ServerCheck {
  return {
    where: 'server',
    kind: 'definer_search_path',
    entity: null,
    schema,
    description: `schema ${schema}: every SECURITY DEFINER function pins search_path`,
    declarations: [...STANDARD, 'v_unpinned bigint'],
    block: [
      "SELECT count(*), count(*) FILTER (WHERE NOT s.pinned), string_agg(s.name, ', ' ORDER BY s.name) FILTER (WHERE NOT s.pinned)",
      '  INTO v_n, v_unpinned, v_text',
      'FROM (',
      "  SELECT p.oid::regprocedure::text AS name, EXISTS (SELECT 1 FROM unnest(p.proconfig) AS c(setting) WHERE c.setting LIKE 'search\\_path=%') AS pinned",
      '  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace',
      `  WHERE n.nspname = ${quoteLiteral(schema)} AND p.prosecdef) AS s;`,
      'v_ok := v_unpinned = 0;',
      "v_measured := v_n || ' SECURITY DEFINER function' || CASE WHEN v_n = 1 THEN '' ELSE 's' END || ', ' || v_unpinned || ' without a pinned search_path';",
      "IF v_text IS NOT NULL THEN v_details := 'no SET search_path: ' || v_text; END IF;",
    ].join('\n'),
    timeoutMs: 60_000,
  };
}
