/**
 * Issue 8 item 3: every type change is classified by what PostgreSQL really does
 * to stored values, checked on PostgreSQL itself:
 *  - safe: ALTER TYPE keeps the relfilenode (no rewrite);
 *  - rewrite: every sample value converts back to the value it was;
 *  - lossy: the predicate counts exactly the rows whose value the cast changes
 *    (or, when the cast fails on some, at least one).
 */
import { classifyTypeChange } from '../../src/render/column-types';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('column_types');
  await db.pool.query(`SET TIME ZONE 'UTC'`);
});
afterAll(async () => {
  await db.drop();
});

type Case = [from: string, to: string, kind: 'safe' | 'rewrite' | 'lossy', values: string[]];
const cases: Case[] = [
  ['character varying(10)', 'character varying(20)', 'safe', [`'abc'`, `'abcdefghij'`, 'NULL']],
  ['character varying(10)', 'text', 'safe', [`'abc'`]],
  ['text', 'character varying', 'safe', [`'abc'`]],
  ['numeric(10,2)', 'numeric(12,2)', 'safe', ['1.25', '-99999999.99']],
  ['numeric(10,2)', 'numeric', 'safe', ['1.25']],
  ['timestamp(3) with time zone', 'timestamp with time zone', 'safe', [`'2024-01-01 10:00:00.123+00'`]],
  ['integer', 'bigint', 'rewrite', ['1', '2147483647', '-2147483648']],
  ['smallint', 'integer', 'rewrite', ['32767']],
  ['numeric(10,2)', 'numeric(12,4)', 'rewrite', ['12345678.91']],
  ['integer', 'numeric(12,2)', 'rewrite', ['2147483647']],
  ['date', 'timestamp with time zone', 'rewrite', [`'2024-02-29'`]],
  ['integer', 'text', 'rewrite', ['42']],
  ['real', 'double precision', 'rewrite', ['1.5']],
  ['numeric(10,2)', 'integer', 'lossy', ['10.50', '3.00', '7.25', 'NULL']],
  ['timestamp with time zone', 'date', 'lossy', [`'2024-01-01 00:00:00+00'`, `'2024-01-01 10:00:00+00'`]],
  ['text', 'character varying(5)', 'lossy', [`'wire-transfer'`, `'card'`, `'cash'`]],
  ['character varying(20)', 'character varying(4)', 'lossy', [`'abcdef'`, `'abc'`]],
  ['bigint', 'integer', 'lossy', ['1', '5000000000']],
  ['numeric(10,2)', 'numeric(10,1)', 'lossy', ['1.25', '1.20']],
  ['numeric(12,2)', 'numeric(6,2)', 'lossy', ['1234.56', '123456.78']],
  ['double precision', 'integer', 'lossy', ['1.5', '2']],
  ['integer', 'character varying(3)', 'lossy', ['7', '12345']],
  ['text', 'integer', 'lossy', [`'12'`, `' 13'`]],
];

test.each(cases.map((c, i) => [`${c[0]} → ${c[1]}`, i] as const))('%s', async (_name, i) => {
  const [from, to, kind, values] = cases[i]!;
  const change = classifyTypeChange(from, to);
  expect(change.kind).toBe(kind);
  const t = `ct_${i}`;
  await db.pool.query(`CREATE TABLE ${t} (id int, c ${from}); CREATE TABLE ${t}_before AS TABLE ${t};`);
  await db.pool.query(`INSERT INTO ${t} VALUES ${values.map((v, n) => `(${n}, ${v})`).join(', ')}; INSERT INTO ${t}_before SELECT * FROM ${t};`);
  if (kind === 'safe') {
    const before = await query<{ f: string }>(db.pool, `SELECT pg_relation_filenode('${t}')::text AS f`);
    await db.pool.query(`ALTER TABLE ${t} ALTER COLUMN c TYPE ${to}`);
    expect(await query(db.pool, `SELECT pg_relation_filenode('${t}')::text AS f`)).toEqual(before);
    return;
  }
  const predicate = change.predicate?.('c') ?? null;
  const [counted] = predicate === null ? [{ n: null }] : await query<{ n: number | null }>(db.pool, `SELECT count(*)::int AS n FROM ${t} WHERE c IS NOT NULL AND (${predicate})`);
  let failed = false;
  await db.pool.query(`ALTER TABLE ${t} ALTER COLUMN c TYPE ${to} USING c::${to}`).catch(() => (failed = true));
  if (kind === 'rewrite') {
    expect(failed).toBe(false);
    expect(await query(db.pool, `SELECT b.id FROM ${t}_before b JOIN ${t} a USING (id) WHERE b.c IS DISTINCT FROM a.c::${from}`)).toEqual([]);
    return;
  }
  if (failed) {
    // The cast rejects some value: the count must say so (a count above zero).
    if (counted!.n !== null) expect(counted!.n).toBeGreaterThan(0);
    return;
  }
  const changed = await query<{ n: number }>(db.pool, `SELECT count(*)::int AS n FROM ${t}_before b JOIN ${t} a USING (id) WHERE b.c::text IS DISTINCT FROM a.c::text AND (b.c IS DISTINCT FROM a.c::${from})`);
  if (counted!.n !== null) expect(counted!.n).toBe(changed[0]!.n);
  expect(changed[0]!.n).toBeGreaterThan(0);
});
