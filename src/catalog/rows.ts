/** Exact "does it hold rows" answers for the few tables a plan would drop, in
 *  one round trip. Estimates (reltuples) are −1 until ANALYZE, so a drop hazard
 *  cannot rest on them alone. */
import type { Client } from 'pg';
import { qualify, quoteIdent } from '../model/ident';
import { classifyTypeChange } from '../render/column-types';
import type { LiveCatalog, LossCheck } from './types';

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
