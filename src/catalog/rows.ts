/** Exact "does it hold rows" answers for the few tables a plan would drop, in
 *  one round trip. Estimates (reltuples) are −1 until ANALYZE, so a drop hazard
 *  cannot rest on them alone. */
import type { Client } from 'pg';
import { qualify } from '../model/ident';
import type { LiveCatalog } from './types';

export async function fillHasRows(client: Client, live: LiveCatalog, tables: readonly { key: string; schema: string; name: string }[]): Promise<void> {
  const todo = tables.filter((t) => !live.hasRows.has(t.key));
  if (todo.length === 0) return;
  const sql = todo
    .map((t, i) => `SELECT ${i} AS i, EXISTS (SELECT 1 FROM ${qualify(t.schema, t.name)} LIMIT 1) AS has_rows`)
    .join(' UNION ALL ');
  const { rows } = await client.query<{ i: number; has_rows: boolean }>(sql);
  for (const row of rows) live.hasRows.set(todo[row.i]!.key, row.has_rows);
}
