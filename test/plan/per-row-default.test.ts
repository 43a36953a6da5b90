/**
 * Adding a column whose default differs per row rewrites the table; one whose
 * default is a single value does not. The planner reads that from the parse
 * tree (callsPerRowFunction), not from the default's text, and the hazard it
 * declares is checked against what PostgreSQL does: the table's relfilenode
 * changes exactly when the plan says `rewrites_table`.
 */
import { applyDesired, planDesired } from '../../src/engine';
import { callsPerRowFunction, loadExpressionParser, type SqlExpression } from '../../src/model/expression';
import { col, state, table } from '../support/desired-builder';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  await loadExpressionParser();
  db = await createTestDatabase('perrow');
});
afterAll(async () => {
  await db.drop();
});

test('per-row functions are found in the tree, not in strings or names', () => {
  const yes = ['gen_random_uuid()', 'random() * 10', 'COALESCE(NULL, clock_timestamp())', "nextval('s'::regclass)", 'upper(timeofday())', 'UUID_GENERATE_V4()'];
  const no = ['now()', "'random()'", "'gen_random_uuid'", "upper('nextval(')", '42', 'CURRENT_TIMESTAMP', "(now() AT TIME ZONE 'UTC')::date"];
  expect(yes.filter((e) => !callsPerRowFunction(e as SqlExpression))).toEqual([]);
  expect(no.filter((e) => callsPerRowFunction(e as SqlExpression))).toEqual([]);
});

test.each([
  ['gen_random_uuid()', 'uuid', true],
  ["'random()'", 'text', false],
  ['now()', 'timestamp with time zone', false],
])('ADD COLUMN … DEFAULT %s: rewrite declared = rewrite done', async (expression, type, rewrites) => {
  const s = `perrow_${['uuid', 'text', 'timestamp with time zone'].indexOf(type)}`;
  const opts = { databaseUrl: db.url };
  const base = table(s, 't', [col('id', 'integer', { notNull: true })], { entity: 'E' });
  await applyDesired(state([base]), opts);
  await db.pool.query(`INSERT INTO ${s}.t (id) SELECT generate_series(1, 100)`);
  const before = await query<{ f: string }>(db.pool, `SELECT relfilenode::text AS f FROM pg_class WHERE oid = '${s}.t'::regclass`);
  const to = state([{ ...base, columns: [...base.columns, col('x', type, { default: expression })] }]);
  const plan = await planDesired(to, opts);
  expect(plan.hazards.some((h) => h.code === 'rewrites_table')).toBe(rewrites);
  await applyDesired(to, { ...opts, allowHazards: ['rewrites_table'] });
  const after = await query<{ f: string }>(db.pool, `SELECT relfilenode::text AS f FROM pg_class WHERE oid = '${s}.t'::regclass`);
  expect(after[0]!.f !== before[0]!.f).toBe(rewrites);
});
