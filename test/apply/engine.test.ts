/** The engine facade on the example specs/: maintenance rolls the window
 *  forward without losing DEFAULT rows, inspectEntity reports drift, and
 *  dropEntity refuses a table holding rows unless forced. */
import { applySpecs, dropEntity, HazardsRefusedError, inspectEntity, planSpecs } from '../../src/engine';
import { maintainSpecs } from '../../src/engine/maintain';
import type { SpecSet } from '../../src/spec/model';
import { loadSpecs } from '../../src/spec/load';
import { formatPlanText } from '../../src/plan/format/text';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
let specs: SpecSet;
beforeAll(async () => {
  db = await createTestDatabase('engine');
  specs = (await loadSpecs(['specs'])).specs;
  await applySpecs(specs, { databaseUrl: db.url, today: '2024-03-15' });
});
afterAll(async () => {
  await db.drop();
});

const entity = (name: string) => specs.entities.find((e) => e.entity === name)!;

test('maintain rolls the window forward: rows waiting in DEFAULT are moved, none lost', async () => {
  // Rows for July and August 2024 arrive before their partitions exist: they land in DEFAULT.
  await db.pool.query(`
    INSERT INTO analytics.sales_transaction (transaction_id, customer_id, product_id, quantity, unit_price, total_amount, transaction_date, payment_method, region, category)
    SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 1, 10, 10,
           timestamptz '2024-07-01 00:00:00+00' + (g % 60) * interval '1 day', 'card', 'eu', 'c'
    FROM generate_series(1, 3000) g`);
  const [before] = await query<{ n: string }>(db.pool, `SELECT count(*) AS n FROM analytics.sales_transaction_default`);
  expect(Number(before!.n)).toBe(3000);
  const { plan, report } = await maintainSpecs(specs, { databaseUrl: db.url, today: '2024-06-10' });
  expect(report.ok).toBe(true);
  expect(plan.hazards.map((h) => h.code)).toContain('moves_rows');
  const rows = await query<{ p: string; n: string }>(db.pool, `SELECT tableoid::regclass::text AS p, count(*) AS n FROM analytics.sales_transaction GROUP BY 1 ORDER BY 1`);
  expect(rows).toEqual([
    { p: 'analytics.sales_transaction_p2024_07', n: '1550' },
    { p: 'analytics.sales_transaction_p2024_08', n: '1450' },
  ]);
  const after = await planSpecs(specs, { databaseUrl: db.url, today: '2024-06-10' });
  if (after.plan.steps.length) console.log(formatPlanText(after.plan));
  expect(after.plan.steps).toEqual([]);
});

test('inspectEntity: exists with outputs; an index dropped by hand shows as drift', async () => {
  const opts = { databaseUrl: db.url, today: '2024-06-10' };
  const clean = await inspectEntity(entity('CustomerMetrics'), specs, opts);
  expect(clean.exists).toBe(true);
  expect(clean.outputs?.table).toBe('customer_metrics');
  expect(clean.drift).toEqual([]);
  await db.pool.query('DROP INDEX analytics.idx_customer_metrics_segment');
  const drifted = await inspectEntity(entity('CustomerMetrics'), specs, opts);
  expect(drifted.drift.map((d) => d.subject)).toContain('index:analytics.idx_customer_metrics_segment');
});

test('dropEntity refuses a table holding rows unless forced', async () => {
  const opts = { databaseUrl: db.url, today: '2024-06-10' };
  await db.pool.query(`INSERT INTO analytics.category_metrics (category) VALUES ('c')`).catch(async () => {
    await db.pool.query(`INSERT INTO analytics.category_metrics DEFAULT VALUES`);
  });
  await expect(dropEntity(entity('CategoryMetrics'), specs, { ...opts, force: false })).rejects.toBeInstanceOf(HazardsRefusedError);
  const report = await dropEntity(entity('CategoryMetrics'), specs, { ...opts, force: true });
  expect(report.ok).toBe(true);
  expect(await query(db.pool, `SELECT to_regclass('analytics.category_metrics') AS r`)).toEqual([{ r: null }]);
  expect((await inspectEntity(entity('CategoryMetrics'), specs, opts)).exists).toBe(false);
});
