/**
 * Defaults whose tree differs from the live one only in how PostgreSQL prints
 * a typed constant — `interval '1 hour'` is stored and printed as
 * `'01:00:00'::interval`, `'1 week'` as `'7 days'`, `'{"a":1}'` on jsonb as
 * `'{"a": 1}'`, an upper-case uuid in lower case, `now() + '1 day'` with the
 * constant's resolved type `'1 day'::interval` — cannot be told equal offline
 * without re-implementing every type's input and output functions.
 *
 * So the server says how it would print the desired default: for the few
 * columns whose canonical trees still differ, one CREATE TEMP TABLE with those
 * columns' types and (checked, deparsed) defaults, read back with pg_get_expr,
 * inside a transaction that is always rolled back. Nothing is evaluated (a
 * default runs only on INSERT) and nothing is left behind. If the server
 * refuses (no TEMP privilege, a read-only standby, a default its type does not
 * accept), the plan compares the canonical trees as they are: at worst it
 * plans a SET DEFAULT, which then fails or converges on apply.
 */
import type { Client } from 'pg';
import type { SqlExpression } from '../model/expression';
import { quoteIdent } from '../model/ident';
import type { DesiredState, TableObject } from '../model/objects';
import { objectKey } from '../model/objects';
import { canonicalDefault } from './normalize';
import type { LiveCatalog } from './types';

/** The key of a desired default in LiveCatalog.defaultForms. */
export const defaultFormKey = (type: string, expression: string): string => `${type}\u0000${expression}`;

interface Probe {
  readonly key: string;
  readonly type: string;
  readonly expression: SqlExpression;
}

/** Desired defaults that differ from the live column's only after canonicalisation. */
function probesNeeded(desired: DesiredState, live: LiveCatalog): Probe[] {
  const liveTables = new Map(live.objects.filter((o): o is TableObject => o.kind === 'table').map((t) => [objectKey(t), t]));
  const probes = new Map<string, Probe>();
  for (const table of desired.objects) {
    if (table.kind !== 'table') continue;
    const liveTable = liveTables.get(objectKey(table));
    if (!liveTable) continue;
    for (const column of table.columns) {
      const liveColumn = liveTable.columns.find((c) => c.name === column.name);
      if (!liveColumn || column.default === null || liveColumn.default === null || liveColumn.type !== column.type) continue;
      const key = defaultFormKey(column.type, column.default);
      if (live.defaultForms.has(key) || column.default === liveColumn.default) continue;
      if (canonicalDefault(column.default, column.type) === canonicalDefault(liveColumn.default, liveColumn.type)) continue;
      probes.set(key, { key, type: column.type, expression: column.default });
    }
  }
  return [...probes.values()];
}

async function printed(client: Client, probes: readonly Probe[]): Promise<(string | null)[]> {
  const columns = probes.map((p, i) => `${quoteIdent(`c${i}`)} ${p.type} DEFAULT ${p.expression}`);
  await client.query('BEGIN');
  try {
    await client.query(`CREATE TEMP TABLE specql_default_probe (\n    ${columns.join(',\n    ')}\n) ON COMMIT DROP`);
    const { rows } = await client.query<{ n: number; printed: string | null }>(
      `SELECT a.attnum::int - 1 AS n, pg_get_expr(d.adbin, d.adrelid) AS printed
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = 'pg_temp.specql_default_probe'::regclass AND a.attnum > 0 ORDER BY a.attnum`,
    );
    return probes.map((_, i) => rows.find((r) => r.n === i)?.printed ?? null);
  } finally {
    await client.query('ROLLBACK');
  }
}

/**
 * Fills `live.defaultForms` with the canonical form of PostgreSQL's own
 * printing of each desired default that needs it. One statement for all of
 * them; if it fails, each is tried alone so one bad default spoils no other.
 */
export async function probeDefaultForms(client: Client, desired: DesiredState, live: LiveCatalog): Promise<void> {
  const probes = probesNeeded(desired, live);
  if (probes.length === 0) return;
  const record = (probe: Probe, text: string | null) => live.defaultForms.set(probe.key, canonicalDefault(text, probe.type));
  try {
    const texts = await printed(client, probes);
    probes.forEach((probe, i) => record(probe, texts[i] ?? null));
  } catch {
    for (const probe of probes) {
      try {
        record(probe, (await printed(client, [probe]))[0] ?? null);
      } catch {
        // The server will not take this default here; the plan says so when it tries.
      }
    }
  }
}
