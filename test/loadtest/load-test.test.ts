/**
 * `specql load-test` on a real database: every row arrives, in the partition
 * its timestamp belongs to (checked against the generated rows themselves),
 * through COPY and through the bulk function; the same seed loads the same
 * rows into another database; and with a worker draining the queue the
 * metrics lag is reported per batch.
 */
import { Pool } from 'pg';
import { applySpecs } from '../../src/engine';
import { loadWindow, type LoadTestReport } from '../../src/loadtest/run';
import { rowGenerator } from '../../src/loadtest/synthetic';
import { loadSpecs } from '../../src/spec/load';
import type { SpecSet } from '../../src/spec/model';
import { specql } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/db';

const TODAY = '2024-03-15';
let specs: SpecSet;
const dbs: TestDatabase[] = [];

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase('loadtest');
  dbs.push(db);
  await applySpecs(specs, { databaseUrl: db.url, today: TODAY });
  return db;
}

async function loadTest(db: TestDatabase, ...args: string[]): Promise<LoadTestReport> {
  const result = await specql('load-test', 'specs/', '--database-url', db.url, '--today', TODAY, '--format', 'json', ...args);
  if (result.code !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as LoadTestReport;
}

const contentHash = async (pool: Pool): Promise<string> =>
  (await pool.query(`SELECT md5(string_agg(t::text, '|' ORDER BY transaction_id)) AS h FROM analytics.sales_transaction t`)).rows[0].h;

beforeAll(async () => {
  ({ specs } = await loadSpecs(['specs/']));
});

afterAll(async () => {
  for (const db of dbs) await db.drop();
});

test('COPY: every row lands in the partition of its timestamp, as generated; same seed, same rows', async () => {
  const db = await freshDatabase();
  const report = await loadTest(db, '--rows', '3000', '--clients', '3', '--batch', '250', '--seed', '5');
  expect(report).toMatchObject({ entity: 'SalesTransaction', via: 'copy', rows: 3000, clients: 3, batches: 12, seed: 5 });
  expect(report.rowsPerSecond).toBeGreaterThan(0);
  expect(report.batchLatency.p99Ms).toBeGreaterThanOrEqual(report.batchLatency.p50Ms);

  // Expected distribution: the generated rows themselves, classified by month (monthly partitions).
  const sales = specs.entities.find((e) => e.entity === 'SalesTransaction')!;
  const gen = rowGenerator(sales, 5, loadWindow(sales, TODAY));
  const expected = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const name = `sales_transaction_p${String(gen.row(i).transaction_date).slice(0, 7).replace('-', '_')}`;
    expected.set(name, (expected.get(name) ?? 0) + 1);
  }
  const { rows } = await db.pool.query<{ name: string; n: string }>(`SELECT tableoid::regclass::text AS name, count(*) AS n FROM analytics.sales_transaction GROUP BY 1`);
  const actual = new Map(rows.map((r) => [r.name.replace(/^analytics\./, ''), Number(r.n)]));
  expect(actual).toEqual(expected);
  expect(new Map(report.partitions.map((p) => [p.name, p.rows]))).toEqual(expected);
  // The window of 2024-03-15 with premake 3: January to June, every month used, none in DEFAULT.
  expect([...expected.keys()].sort()).toEqual(['01', '02', '03', '04', '05', '06'].map((m) => `sales_transaction_p2024_${m}`));
  // No worker ran: the queue holds every row, and the report says so.
  expect(report.metricsLag?.drainedBatches).toBe(0);
  expect(report.metricsLag?.note).toMatch(/no worker drained the queue/);

  const twin = await freshDatabase();
  await loadTest(twin, '--rows', '3000', '--clients', '2', '--batch', '700', '--seed', '5');
  expect(await contentHash(twin.pool)).toBe(await contentHash(db.pool));
  const other = await freshDatabase();
  await loadTest(other, '--rows', '3000', '--seed', '6');
  expect(await contentHash(other.pool)).not.toBe(await contentHash(db.pool));
}, 240_000);

test('through the bulk function, with a worker draining the queue: metrics lag per batch, metrics exact', async () => {
  const db = await freshDatabase();
  let running = true;
  const worker = (async () => {
    while (running) {
      const n = Number((await db.pool.query('SELECT analytics.update_performance_metrics_process(1000) AS n')).rows[0].n);
      if (n === 0) await new Promise((r) => setTimeout(r, 20));
    }
  })();
  let report: LoadTestReport;
  try {
    report = await loadTest(db, '--rows', '4000', '--clients', '2', '--batch', '500', '--via', 'function', '--seed', '9');
  } finally {
    running = false;
    await worker;
  }
  expect(report.via).toBe('function');
  expect(report.rows).toBe(4000);
  expect(Number((await db.pool.query('SELECT count(*) AS n FROM analytics.sales_transaction')).rows[0].n)).toBe(4000);
  const lag = report.metricsLag!;
  expect(lag.batches).toBe(8);
  expect(lag.drainedBatches).toBe(8);
  expect(lag.p99Ms).not.toBeNull();
  expect(lag.p99Ms!).toBeGreaterThanOrEqual(lag.p50Ms!);
  expect(lag.drainedAfterMs).not.toBeNull();
  // Foreign-key-like ids are drawn from 100 values, so the metrics aggregate: 100 products at most.
  const { rows } = await db.pool.query('SELECT count(*)::int AS products, sum(total_quantity)::int AS quantity FROM analytics.product_metrics');
  const { rows: base } = await db.pool.query('SELECT count(DISTINCT product_id)::int AS products, sum(quantity)::int AS quantity FROM analytics.sales_transaction');
  expect(rows[0]).toEqual(base[0]);
  expect(rows[0].products).toBeLessThanOrEqual(100);
}, 240_000);

test('usage errors: --rows is required, --via function needs a bulk action', async () => {
  const db = dbs[0]!;
  expect((await specql('load-test', 'specs/', '--database-url', db.url)).stderr).toMatch(/--rows is required/);
  const noBulk = await specql('load-test', 'specs/', '--database-url', db.url, '--rows', '10', '--entity', 'CategoryMetrics', '--via', 'function');
  expect(noBulk.code).toBe(1);
  expect(noBulk.stderr).toMatch(/CategoryMetrics has no batch\/bulk_operation action: use --via copy/);
});
