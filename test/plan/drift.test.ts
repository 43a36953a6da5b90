/** Drift and ownership: what was changed by hand is repaired or reported, never
 *  silently destroyed; entity scoping; destructive changes refused until allowed. */
import { applyDesired, HazardsRefusedError, planDesired } from '../../src/engine';
import { col, index, monthly, state, table } from '../support/desired-builder';
import type { DesiredState } from '../../src/model/objects';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('drift');
});
afterAll(async () => {
  await db.drop();
});

const t = table('d', 't', [col('id', 'integer', { notNull: true }), col('v', 'text', { default: "'x'" }), col('n', 'numeric(10,2)', { default: '0' }), col('at', 'timestamp with time zone', { default: 'now()' })], {
  constraints: [{ name: 't_pkey', kind: 'primary_key', columns: ['id'] }],
});
const desired = state([t, index(t, 't_v_idx', ['v'])]);

test('defaults in the generator\'s spelling cause no false diff', async () => {
  await applyDesired(desired, { databaseUrl: db.url });
  expect((await planDesired(desired, { databaseUrl: db.url })).steps).toEqual([]);
});

test('an index dropped by hand is recreated', async () => {
  await db.pool.query('DROP INDEX d.t_v_idx');
  const plan = await planDesired(desired, { databaseUrl: db.url });
  expect(plan.steps.map((s) => s.object)).toContain('index:d.t_v_idx');
  await applyDesired(desired, { databaseUrl: db.url });
  expect((await planDesired(desired, { databaseUrl: db.url })).steps).toEqual([]);
});

test('a column and an index added by hand are reported, not dropped', async () => {
  await db.pool.query('ALTER TABLE d.t ADD COLUMN extra text');
  await db.pool.query('CREATE INDEX t_extra_idx ON d.t (extra)');
  await db.pool.query('CREATE TABLE d.mine (x int)');
  const plan = await planDesired(desired, { databaseUrl: db.url });
  expect(plan.steps).toEqual([]);
  const messages = plan.diagnostics.map((d) => d.message);
  expect(messages).toContain('column added by hand: d.t.extra — not in the spec; left alone');
  expect(messages.some((m) => m.includes('d.t_extra_idx') && m.includes('left alone'))).toBe(true);
  expect(messages.some((m) => m.includes('d.mine') && m.includes('left alone'))).toBe(true);
});

test('a table that left the spec and holds rows: refused, then dropped when deletes_data is allowed', async () => {
  const other = table('d', 'gone', [col('id', 'integer')], { entity: 'Gone' });
  const both: DesiredState = { objects: [...desired.objects, other], entities: [...desired.entities, { ...desired.entities[0]!, entity: 'Gone', table: 'gone', indexes: [] }] };
  await applyDesired(both, { databaseUrl: db.url });
  await db.pool.query('INSERT INTO d.gone VALUES (1)');
  const plan = await planDesired(desired, { databaseUrl: db.url });
  const drop = plan.steps.find((s) => s.sql === 'DROP TABLE d.gone;');
  expect(drop?.hazards.map((h) => h.code)).toEqual(['deletes_data']);
  const refused = await applyDesired(desired, { databaseUrl: db.url }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(HazardsRefusedError);
  expect((refused as Error).message).toMatch(/step \d+: drop table d\.gone[\s\S]*deletes_data[\s\S]*--allow-hazards deletes_data/);
  await applyDesired(desired, { databaseUrl: db.url, allowHazards: ['deletes_data'] });
  expect(await query(db.pool, `SELECT to_regclass('d.gone') AS r`)).toEqual([{ r: null }]);
  expect((await planDesired(desired, { databaseUrl: db.url })).steps).toEqual([]);
});

test('entity scoping: a plan for one entity neither creates nor drops another entity\'s objects', async () => {
  const a = table('sc', 'a', [col('id', 'integer')], { entity: 'A' });
  const b = table('sc', 'b', [col('id', 'integer')], { entity: 'B' });
  const outputs = (entity: string, name: string) => ({ ...state([a]).entities[0]!, entity, schema: 'sc', table: name, indexes: [] });
  const full: DesiredState = { objects: [{ kind: 'schema', name: 'sc' }, a, b], entities: [outputs('A', 'a'), outputs('B', 'b')] };
  const onlyA = await planDesired(full, { databaseUrl: db.url, entities: ['A'] });
  expect(onlyA.steps.map((s) => s.object).filter((o) => o.startsWith('table:'))).toEqual(['table:sc.a', 'table:sc.a']);
  await applyDesired(full, { databaseUrl: db.url });
  // B left the spec, but a plan scoped to A does not touch it.
  const withoutB: DesiredState = { objects: [{ kind: 'schema', name: 'sc' }, a], entities: [outputs('A', 'a')] };
  expect((await planDesired(withoutB, { databaseUrl: db.url, entities: ['A'] })).steps).toEqual([]);
  const unscoped = await planDesired(withoutB, { databaseUrl: db.url });
  expect(unscoped.steps.map((s) => s.sql)).toEqual(['DROP TABLE sc.b;']);
  expect(unscoped.steps[0]!.hazards.map((h) => h.code)).toEqual(['access_exclusive_lock']); // empty table: no data lost
});

test('a change the planner will not make online (partitioning) is an error, and apply refuses', async () => {
  const p = table('pk', 'p', [col('id', 'integer', { notNull: true }), col('at', 'timestamp with time zone', { notNull: true })]);
  await applyDesired(state([p]), { databaseUrl: db.url });
  const parted = state([{ ...p, partitionBy: { strategy: 'range', column: 'at' } }]);
  const plan = await planDesired(parted, { databaseUrl: db.url });
  expect(plan.diagnostics.map((d) => [d.code, d.severity])).toEqual([['plan.partitioning_changed', 'error']]);
  const refused = await applyDesired(parted, { databaseUrl: db.url }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(HazardsRefusedError);
  expect((refused as Error).message).toContain('partitioning differs (live none, spec range on at)');
});

test('archived partitions are neither recreated nor reported, however they were archived', async () => {
  const m = table('ar', 'm', [col('id', 'integer', { notNull: true }), col('at', 'timestamp with time zone', { notNull: true })], {
    partitionBy: { strategy: 'range', column: 'at' },
  });
  const window = { partitionWindow: { interval: 'monthly', from: '', to: '', premake: 1, retention: 2, retentionCutoff: '2024-01-01T00:00:00Z', archiveSchema: 'ar_archive' } };
  const parts = monthly({ schema: 'ar', name: 'm' }, '2024-01', 3);
  const older = state([{ kind: 'schema', name: 'ar_archive' }, m, ...parts], 'E', window);
  await applyDesired(older, { databaseUrl: db.url });
  await db.pool.query(`INSERT INTO ar.m SELECT g, timestamptz '2024-01-01 00:00:00+00' + (g % 80) * interval '1 day' FROM generate_series(1, 800) g`);
  // As the maintenance function does it: detach + SET SCHEMA, no marker.
  await db.pool.query(`ALTER TABLE ar.m DETACH PARTITION ar.m_p2024_01; ALTER TABLE ar.m_p2024_01 SET SCHEMA ar_archive`);
  const plan = await planDesired(older, { databaseUrl: db.url });
  expect(plan.steps).toEqual([]);
  expect(plan.diagnostics.map((d) => d.code)).toEqual(['plan.partition_archived']);
  expect(plan.diagnostics[0]!.message).toContain('was archived as ar_archive.m_p2024_01');
});
