/**
 * Issue 8 item 5: `default_partition: true → false` converges. The rows waiting in DEFAULT go
 * into partitions made for their intervals (inside the window, beyond it) or into the archive
 * (older than the retention); DEFAULT is dropped; rows with an infinite key, which no range
 * partition can hold, make it `deletes_data` (refused until allowed). The maintenance function works after.
 */
import { applySpecs, HazardsRefusedError, planSpecs } from '../../src/engine';
import { loadExpressionParser } from '../../src/model/expression';
import { loadSpecText } from '../../src/spec/load';
import { formatPlanText } from '../../src/plan/format/text';
import { createTestDatabase, query, type TestDatabase } from '../support/db';
import { executeMeasuringLocks } from '../support/measure-locks';

const spec = (schema: string, defaultPartition: boolean): string => `
entity: Reading
schema: ${schema}
fields:
  id: bigint
  at: timestamptz
  value: text
indexes:
  - name: idx_reading_value
    columns: [value]
partitioning:
  strategy: RANGE
  column: at
  intervals: [monthly]
  start: 2024-01-01
  premake: 1
  retention: 3 months
  default_partition: ${defaultPartition}
`;

let db: TestDatabase;
beforeAll(async () => {
  await loadExpressionParser();
  db = await createTestDatabase('default_removal');
});
afterAll(async () => {
  await db.drop();
});

const specsOf = (text: string) => {
  const { specs, diagnostics } = loadSpecText(text, 'reading.yaml');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return specs!;
};

test('rows in DEFAULT move into partitions (window, beyond it) or the archive; DEFAULT is dropped; plan converges; maintenance works', async () => {
  const s = 'dpr';
  const opts = { databaseUrl: db.url, today: '2024-06-15' }; // window 2024-03 … 2024-07, cutoff 2024-03-01
  await applySpecs(specsOf(spec(s, true)), opts);
  await db.pool.query(`INSERT INTO ${s}.reading (id, at, value) VALUES
      (1, '2024-06-10 00:00:00+00', 'in window'),
      (2, '2023-11-05 00:00:00+00', 'older than the retention'),
      (3, '2024-12-24 00:00:00+00', 'beyond the window'),
      (4, '2024-12-25 00:00:00+00', 'beyond the window'),
      (5, 'infinity', 'no partition can hold it')`);
  const [{ n: defaultRows }] = await query<{ n: string }>(db.pool, `SELECT count(*) AS n FROM ${s}.reading_default`);
  expect(Number(defaultRows)).toBe(4); // 2, 3, 4, 5 (June has its partition)

  const off = specsOf(spec(s, false));
  const { plan } = await planSpecs(off, opts);
  const drop = plan.steps.find((st) => st.sql.startsWith(`DROP TABLE ${s}.reading_default`));
  expect(drop?.hazards).toEqual([expect.objectContaining({ code: 'deletes_data', message: expect.stringContaining('1 row(s)') })]);
  await expect(applySpecs(off, opts)).rejects.toBeInstanceOf(HazardsRefusedError);

  // Without the infinite-key row nothing is lost: no deletes_data, nothing refused.
  await db.pool.query(`DELETE FROM ${s}.reading WHERE NOT isfinite(at)`);
  const { plan: clean } = await planSpecs(off, opts);
  expect(clean.hazards.filter((h) => h.blocking)).toEqual([]);
  // Run through the lock-measuring executor: every lock taken must be declared by its step.
  expect(await executeMeasuringLocks(db.url, clean)).toEqual([]);
  const again = await planSpecs(off, opts);
  if (again.plan.steps.length) console.log(formatPlanText(again.plan));
  expect(again.plan.steps).toEqual([]);
  expect(again.plan.diagnostics.filter((d) => d.message.includes('default'))).toEqual([]);

  const where = await query<{ id: string; p: string }>(db.pool, `SELECT id::text, tableoid::regclass::text AS p FROM ${s}.reading ORDER BY id`);
  expect(where).toEqual([
    { id: '1', p: `${s}.reading_p2024_06` },
    { id: '3', p: `${s}.reading_p2024_12` },
    { id: '4', p: `${s}.reading_p2024_12` },
  ]);
  expect(await query(db.pool, `SELECT id::text FROM ${s}_archive.reading_p2023_11`)).toEqual([{ id: '2' }]);
  expect(await query(db.pool, `SELECT to_regclass('${s}.reading_default') AS r`)).toEqual([{ r: null }]);
  // The carved partition has its index under <partition>_<index>.
  expect(await query(db.pool, `SELECT to_regclass('${s}.reading_p2024_12_idx_reading_value') IS NOT NULL AS ok`)).toEqual([{ ok: true }]);

  // The maintenance function (regenerated without DEFAULT) rolls the window on.
  const [{ r }] = await query<{ r: string }>(db.pool, `SELECT ${s}.reading_maintain_partitions('2024-09-15') AS r`);
  expect(r).toContain('reading_p2024_08');
  await db.pool.query(`INSERT INTO ${s}.reading (id, at, value) VALUES (6, '2024-10-01 00:00:00+00', 'after')`);
});
