/** Exact "does it hold rows" answers for the few tables a plan would drop, in
 *  one round trip. Estimates (reltuples) are −1 until ANALYZE, so a drop hazard
 *  cannot rest on them alone. */
import type { Client } from 'pg';
import { qualify, quoteIdent } from '../model/ident';
import { classifyTypeChange } from '../render/column-types';
import type { DefaultRowsCheck, LiveCatalog, LossCheck } from './types';

export async function fillHasRows(client: Client, live: LiveCatalog, tables: readonly { key: string; schema: string; name: string }[]): Promise<void> {
  const todo = tables.filter((t) => !live.hasRows.has(t.key));
  if (todo.length === 0) return;
  const sql = todo
    .map((t, i) => `SELECT ${i} AS i, EXISTS (SELECT 1 FROM ${qualify(t.schema, t.name)} LIMIT 1) AS has_rows`)
    .join(' UNION ALL ');
  const { rows } = await client.query<{ i: number; has_rows: boolean }>(sql);
  for (const row of rows) live.hasRows.set(todo[row.i]!.key, row.has_rows);
}

/**
 * For each lossy type change: how many current rows hold a value the cast would change or
 * reject (render/column-types.ts says which). Read-only; each count in a savepoint of a
 * read-only transaction, so a trial cast that fails is reported instead of aborting the plan.
 * It scans the column once per change: a plan-time cost paid only for lossy changes.
 */
export async function countLossyRows(client: Client, live: LiveCatalog, checks: readonly LossCheck[]): Promise<void> {
  const todo = checks.filter((c) => !live.lossyRows.has(c.key));
  if (todo.length === 0) return;
  await client.query('BEGIN READ ONLY');
  try {
    for (const check of todo) {
      const predicate =
        classifyTypeChange(check.from, check.to).predicate?.(check.column) ??
        `${quoteIdent(check.column)}::text IS DISTINCT FROM (${quoteIdent(check.column)}::${check.to})::text`;
      await client.query('SAVEPOINT specql_loss');
      try {
        const { rows } = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${qualify(check.table.schema, check.table.name)} WHERE ${quoteIdent(check.column)} IS NOT NULL AND (${predicate})`,
        );
        live.lossyRows.set(check.key, { rows: Number(rows[0]!.n) });
        await client.query('RELEASE SAVEPOINT specql_loss');
      } catch (err) {
        await client.query('ROLLBACK TO SAVEPOINT specql_loss');
        live.lossyRows.set(check.key, { error: (err as Error).message });
      }
    }
  } finally {
    await client.query('ROLLBACK');
  }
}

const TRUNC: Readonly<Record<string, string>> = { daily: 'day', weekly: 'week', monthly: 'month', yearly: 'year' };

/** The partition key as a UTC wall-clock timestamp (what the partition bounds mean). */
function keyAsUtc(column: string, type: string): string {
  if (type === 'timestamp with time zone') return `(${quoteIdent(column)} AT TIME ZONE 'UTC')`;
  if (type === 'date') return `${quoteIdent(column)}::timestamp`;
  return quoteIdent(column);
}

/** For each DEFAULT partition leaving the spec: the intervals its rows fall in, and how many no range partition can hold (NULL or ±infinity key). */
export async function fillDefaultRows(client: Client, live: LiveCatalog, checks: readonly DefaultRowsCheck[]): Promise<void> {
  for (const check of checks.filter((c) => !live.defaultRows.has(c.key))) {
    const table = qualify(check.partition.schema, check.partition.name);
    const field = TRUNC[check.interval];
    if (!field) throw new Error(`unknown partition interval ${check.interval}`);
    const { rows } = await client.query<{ start: string; n: string }>(
      `SELECT to_char(date_trunc('${field}', ${keyAsUtc(check.column, check.columnType)}), 'YYYY-MM-DD') AS start, count(*) AS n
         FROM ${table} WHERE ${quoteIdent(check.column)} IS NOT NULL AND isfinite(${quoteIdent(check.column)}) GROUP BY 1 ORDER BY 1`,
    );
    const outside = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${table} WHERE ${quoteIdent(check.column)} IS NULL OR NOT isfinite(${quoteIdent(check.column)})`,
    );
    live.defaultRows.set(check.key, { intervals: rows.map((r) => ({ start: r.start, rows: Number(r.n) })), unplaceable: Number(outside.rows[0]!.n) });
  }
}
