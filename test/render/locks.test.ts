/**
 * The locks each step declares are the locks PostgreSQL takes: specs/ applied
 * to an empty database, then rolled forward a year later with rows waiting in
 * DEFAULT and a six-month retention (partitions carved out of DEFAULT, old
 * ones archived, functions replaced), then an online index on the populated
 * partitioned table, run through the lock-measuring executor. The acceptance
 * cases (test/plan/acceptance.test.ts) run through it as well.
 */
import { buildDesired } from '../../src/desired/build';
import { planDesired } from '../../src/engine';
import type { DesiredState, IndexObject } from '../../src/model/objects';
import { loadSpecs } from '../../src/spec/load';
import type { SpecSet } from '../../src/spec/model';
import { createTestDatabase, query, type TestDatabase } from '../support/db';
import { executeMeasuringLocks } from '../support/measure-locks';

let db: TestDatabase;
let specs: SpecSet;
beforeAll(async () => {
  db = await createTestDatabase('locks');
  specs = (await loadSpecs(['specs'])).specs;
});
afterAll(async () => {
  await db.drop();
});

async function applyMeasuring(desired: DesiredState): Promise<number> {
  const plan = await planDesired(desired, { databaseUrl: db.url });
  expect(await executeMeasuringLocks(db.url, plan)).toEqual([]);
  expect((await planDesired(desired, { databaseUrl: db.url })).steps).toEqual([]);
  return plan.steps.length;
}

test('specs/ on an empty database, rolled forward a year later, then a new index online: every lock declared', async () => {
  expect(await applyMeasuring(buildDesired(specs, { today: '2024-03-15' }))).toBeGreaterThan(40);

  await db.pool.query(`
    INSERT INTO analytics.sales_transaction (customer_id, product_id, quantity, unit_price, total_amount, transaction_date, payment_method, region, category)
    SELECT gen_random_uuid(), gen_random_uuid(), 1, 1, 1, timestamptz '2024-01-01 00:00:00+00' + (g % 480) * interval '1 day', 'card', 'eu', 'c'
    FROM generate_series(1, 3000) g`);
  const inDefault = await query<{ n: string }>(db.pool, 'SELECT count(*) AS n FROM analytics.sales_transaction_default');
  expect(Number(inDefault[0]!.n)).toBeGreaterThan(0);
  const later = buildDesired(specs, { today: '2025-03-15', retention: 6 });
  expect(await applyMeasuring(later)).toBeGreaterThan(10);
  // Rows of the new window moved out of DEFAULT into their partitions (rows older than the window stay: late rows are issue 10's).
  expect(await query(db.pool, `SELECT count(*)::int AS n FROM analytics.sales_transaction_default WHERE transaction_date >= '2024-09-01 00:00:00+00'`)).toEqual([{ n: 0 }]);

  const sales = later.objects.find((o): o is IndexObject => o.kind === 'index' && o.name === 'idx_sales_customer_product')!;
  const withIndex: DesiredState = { ...later, objects: [...later.objects, { ...sales, name: 'idx_sales_payment', columns: [{ column: 'payment_method', descending: false, opclass: null }] }] };
  expect(await applyMeasuring(withIndex)).toBeGreaterThan(10);
});
