/**
 * `specql status --check` on a real database: passes when everything is
 * current, fails (exit 2, naming the problem) on each kind of lag — a stale
 * view, old queue entries, rows in DEFAULT, fewer future partitions than
 * premake — and passes again once `specql worker --once` has caught up.
 * The worker runs in-process here (its process behaviour is in
 * ./worker-process.test.ts).
 */
import { applySpecs, todayUtc } from '../../src/engine';
import { loadSpecs } from '../../src/spec/load';
import { specql } from '../support/cli';
import { eventually } from '../support/child-cli';
import { createTestDatabase, query, type TestDatabase } from '../support/db';
import type { StatusReport } from '../../src/status/collect';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('status');
  const loaded = await loadSpecs(['specs']);
  const { report } = await applySpecs(loaded.specs, { databaseUrl: db.url, today: todayUtc() });
  expect(report.ok).toBe(true);
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

const status = (...extra: string[]) => specql('status', 'specs', '--database-url', db.url, '--check', ...extra);
const catchUp = async (): Promise<void> => {
  const run = await specql('worker', 'specs', '--database-url', db.url, '--once');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
};
const kinds = async (): Promise<string[]> => {
  const out = await specql('status', 'specs', '--database-url', db.url, '--format', 'json');
  expect(out.code).toBe(0);
  return (JSON.parse(out.stdout) as StatusReport).problems.map((p) => p.kind).sort();
};

test('before any worker ran, the view counts as stale; after a --once run all is current', async () => {
  const before = await status();
  expect(before.code).toBe(2);
  expect(before.stdout).toContain('[stale_view] ProductMetrics: analytics.product_performance_mv has never been refreshed');
  // One JSON object per run with --log-format json.
  const run = await specql('worker', 'specs', '--database-url', db.url, '--once', '--log-format', 'json');
  expect(run.code).toBe(0);
  const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; target?: string });
  expect(events.map((e) => `${e.event} ${e.target}`)).toEqual([
    'refresh analytics.product_performance_mv',
    'maintain analytics.sales_transaction',
  ]);
  await catchUp();
  const after = await status();
  expect(after.stdout).toContain('All current.');
  expect(after.code).toBe(0);
});

test('old queue entries fail the check until drained', async () => {
  await db.pool.query(
    `INSERT INTO analytics.sales_transaction (customer_id, product_id, quantity, unit_price, total_amount, transaction_date, category)
     SELECT gen_random_uuid(), gen_random_uuid(), 1, 1, 1, now(), 'status' FROM generate_series(1, 50)`,
  );
  // Young entries are not lag yet.
  expect((await status()).code).toBe(0);
  await db.pool.query(`UPDATE analytics.update_performance_metrics_queue SET queued_at = now() - interval '5 minutes'`);
  const behind = await status();
  expect(behind.code).toBe(2);
  expect(behind.stdout).toMatch(/\[old_queue_entries\] SalesTransaction: 50 entries wait in analytics\.update_performance_metrics_queue, the oldest for 3\d\d s/);
  expect(await kinds()).toEqual(['old_queue_entries']);
  // A looser threshold passes.
  expect((await status('--max-queue-age', '3600')).code).toBe(0);
  await catchUp();
  expect((await status()).code).toBe(0);
});

test('rows in DEFAULT fail the check until maintenance moves them', async () => {
  await db.pool.query(
    `INSERT INTO analytics.sales_transaction (customer_id, product_id, quantity, unit_price, total_amount, transaction_date, category)
     VALUES (gen_random_uuid(), NULL, 1, 1, 1, now() + interval '2 years', 'future')`,
  );
  const behind = await status();
  expect(behind.code).toBe(2);
  expect(behind.stdout).toContain('[rows_in_default] SalesTransaction: 1 rows wait in analytics.sales_transaction_default');
  expect(await kinds()).toEqual(['rows_in_default']);
  await catchUp();
  expect((await status()).code).toBe(0);
});

test('fewer future partitions than premake fail the check until maintenance makes them', async () => {
  // The last partition of the window (three months ahead, premake 3), empty: drop it.
  const month = new Date(`${todayUtc().slice(0, 7)}-01T00:00:00Z`);
  month.setUTCMonth(month.getUTCMonth() + 3);
  await db.pool.query(`DROP TABLE analytics.sales_transaction_p${month.toISOString().slice(0, 7).replace('-', '_')}`);
  const behind = await status();
  expect(behind.code).toBe(2);
  expect(behind.stdout).toMatch(/\[few_future_partitions\] SalesTransaction: analytics\.sales_transaction has 2 future partitions ready, fewer than premake 3/);
  await catchUp();
  expect((await status()).code).toBe(0);
});

test('a view refreshed longer ago than its interval plus the grace fails the check', async () => {
  await db.pool.query(`UPDATE specql.run_log SET started_at = started_at - interval '2 hours', finished_at = finished_at - interval '2 hours' WHERE task = 'refresh'`);
  const behind = await status();
  expect(behind.code).toBe(2);
  expect(behind.stdout).toMatch(/\[stale_view\] ProductMetrics: analytics\.product_performance_mv was last refreshed 72\d\d s ago, more than its interval \(1 hour\) plus 60 s/);
  expect(behind.stdout).toContain('— STALE');
  expect(await kinds()).toEqual(['stale_view']);
  await catchUp();
  const after = await status();
  expect(after.code).toBe(0);
});

test('the report: partitions, DEFAULT, index use with unused ones flagged, queue, view, maintenance; JSON and text agree', async () => {
  // Scans of one index, so that it is not flagged; statistics flushed before the status reads them.
  const client = await db.pool.connect();
  try {
    await client.query(`SET enable_seqscan = off`);
    await client.query(`SELECT count(*) FROM analytics.customer_metrics WHERE customer_segment = 'x'`);
    await client.query(`SELECT pg_stat_force_next_flush()`);
    await client.query(`SELECT 1`);
  } finally {
    client.release();
  }
  let report!: StatusReport;
  await eventually(async () => {
    const out = await specql('status', 'specs', '--database-url', db.url, '--format', 'json');
    report = JSON.parse(out.stdout) as StatusReport;
    const customers = report.entities.find((e) => e.entity === 'CustomerMetrics')!;
    return customers.indexes.find((i) => i.name === 'idx_customer_metrics_segment')!.scans > 0;
  }, 'the index scan shows in pg_stat_user_indexes');
  const sales = report.entities.find((e) => e.entity === 'SalesTransaction')!;
  expect(sales.partitions).toMatchObject({ interval: 'monthly', premake: 3, futureReady: 3, defaultPartition: 'sales_transaction_default', defaultRows: 0 });
  expect(sales.partitions!.count).toBeGreaterThan(30);
  expect(sales.queues).toEqual([
    expect.objectContaining({ queue: 'update_performance_metrics_queue', depth: 0, oldestAgeSeconds: null, runner: 'specql worker' }),
  ]);
  expect(sales.queues[0]!.lastDrain).toMatchObject({ by: 'worker' });
  expect(sales.maintenance!.lastRun).toMatchObject({ by: 'worker' });
  expect(sales.indexes.map((i) => i.name).sort()).toEqual(['idx_sales_customer_product', 'idx_sales_region_category_date', 'idx_sales_transaction_date']);
  const view = report.entities.find((e) => e.entity === 'ProductMetrics')!.views[0]!;
  expect(view).toMatchObject({ view: 'product_performance_mv', interval: '1 hour', intervalSeconds: 3600, stale: false, lastError: null, runner: 'specql worker' });
  const customers = report.entities.find((e) => e.entity === 'CustomerMetrics')!;
  expect(customers.indexes.find((i) => i.name === 'idx_customer_metrics_segment')).toMatchObject({ unused: false });
  expect(customers.indexes.find((i) => i.name === 'idx_customer_metrics_value')).toMatchObject({ scans: 0, unused: true });
  expect(report.problems).toEqual([]);
  const text = await specql('status', 'specs', '--database-url', db.url);
  expect(text.code).toBe(0);
  expect(text.stdout).toContain('idx_customer_metrics_value 0 scans');
  expect(text.stdout).toContain('(UNUSED)');
  expect(text.stdout).toContain('queue update_performance_metrics_queue: 0 waiting');
});
