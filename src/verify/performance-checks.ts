/**
 * The seed's performance checks that run inside the database, as plpgsql blocks
 * (the structural ones are in ./structural-checks.ts). The same block
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
import { bulkFunctionName, insertTriggerName, processFunctionName } from '../desired/actions/names';
import { fitIdentifier, qualify, quoteIdent, quoteLiteral } from '../model/ident';
import type { ServerCheck } from './types';
import { UNDO_SQLSTATE } from './wrap';
import { check, ELAPSED_MS, MS_TEXT, partitionColumnType, thousands } from './check-block';
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

/** 1. The bulk function loads `bulk_rows` synthetic rows within its budget. */
export function bulkLoadCheck(entity: EntitySpec, action: BulkOperationAction): ServerCheck {
  const { bulkRows, bulkLoadMs } = entity.verify;
  const fn = qualify(entity.schema, bulkFunctionName(action.name));
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
  // An index that can be scanned directly (B-tree, GiST, hash) is asked for with bitmap scans off too:
  // otherwise, on small partitions, a BRIN bitmap over the time range alone may look cheaper than it.
  // BRIN and GIN indexes are read only through bitmaps, so for them bitmaps stay on.
  const plainScans = index !== null && ['btree', 'gist', 'hash'].includes(index.method);
  return check(entity, 'partition_pruning', `${entity.entity}: a one-${noun} query on ${on} reads only that ${noun}'s partition, through an index`, [
    windowSql(entity),
    "v_text := current_setting('enable_seqscan');",
    "v_bitmap := current_setting('enable_bitmapscan');",
    "PERFORM set_config('enable_seqscan', 'off', true);",
    ...(plainScans ? ["PERFORM set_config('enable_bitmapscan', 'off', true);"] : []),
    `EXECUTE ${quoteLiteral(explain)}`,
    `  USING ${params.join(', ')}`,
    '  INTO v_plan;',
    "PERFORM set_config('enable_seqscan', v_text, true);",
    "PERFORM set_config('enable_bitmapscan', v_bitmap, true);",
    "SELECT coalesce(array_agg(DISTINCT r.name ORDER BY r.name), '{}') INTO v_scanned",
    `FROM jsonb_path_query(v_plan, 'strict $.**."Relation Name"') AS x, LATERAL (SELECT x #>> '{}' AS name) AS r;`,
    "SELECT coalesce(array_agg(b.name ORDER BY b.name), '{}') INTO v_expected",
    `FROM (${partitionBoundsQuery(entity)}) AS b`,
    `WHERE NOT b.is_default AND b.lower_bound < ${asColumnType('v_to', type)} AND b.upper_bound > ${asColumnType('v_from', type)};`,
    // Every scan node, described; those without an index condition on the leading column collected.
    "SELECT string_agg(d.how, '; ' ORDER BY d.how), coalesce(array_agg(d.how ORDER BY d.how) FILTER (WHERE NOT d.indexed), '{}')",
    '  INTO v_text, v_unindexed',
    "FROM jsonb_path_query(v_plan, 'strict $.** ? (exists(@.\"Relation Name\"))') AS n(node),",
    "LATERAL (SELECT (n.node ->> 'Relation Name') || ' (' || (n.node ->> 'Node Type')",
    "          || coalesce(' on ' || (SELECT string_agg(DISTINCT i #>> '{}', ', ') FROM jsonb_path_query(n.node, 'strict $.**.\"Index Name\"') AS i), '') || ')' AS how,",
    "        EXISTS (SELECT 1 FROM jsonb_path_query(n.node, 'strict $.** ? (exists(@.\"Index Cond\"))') AS c(node)",
    `                WHERE (c.node ->> 'Index Cond') ~ ${pattern}) AS indexed) AS d;`,
    'v_ok := cardinality(v_expected) > 0 AND v_scanned = v_expected AND cardinality(v_unindexed) = 0;',
    "v_measured := 'scanned ' || coalesce(v_text, 'nothing');",
    'IF cardinality(v_expected) = 0 THEN',
    "  v_details := 'no partition covers ' || v_from || ' .. ' || v_to;",
    'ELSIF v_scanned <> v_expected THEN',
    "  v_details := 'expected only ' || array_to_string(v_expected, ', ');",
    'ELSIF cardinality(v_unindexed) > 0 THEN',
    `  v_details := ${quoteLiteral(`no index condition on ${lead} when reading `)} || array_to_string(v_unindexed, '; ');`,
    'END IF;',
  ], 60_000, ['v_scanned text[]', 'v_expected text[]', 'v_unindexed text[]', 'v_bitmap text']);
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
 * EXCLUSIVE lock on the table for that one insert; lock_timeout 2 s, up to
 * five tries).
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
    // Autovacuum's ANALYZE of a partition holds a conflicting lock; it is cancelled once
    // we have waited deadlock_timeout (1 s), so wait up to 2 s, and try again a few times.
    '  FOR v_try IN 1..5 LOOP',
    '    BEGIN',
    `      ALTER TABLE ${tableOf(entity)} DISABLE TRIGGER ${trigger};`,
    '      EXIT;',
    '    EXCEPTION WHEN lock_not_available THEN',
    '      IF v_try = 5 THEN RAISE; END IF;',
    '    END;',
    '  END LOOP;',
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
  ], 120_000, ['v_round int', 'v_try int', 'v_with numeric', 'v_without numeric', 'v_ratio numeric', 'v_warm jsonb']);
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
  const fn = qualify(entity.schema, bulkFunctionName(action.name));
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
