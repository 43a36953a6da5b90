/**
 * The Redis hot cache in one `specql worker --once` pass (in-process): the top rows land under
 * the prefixed key with the TTL; with Redis away, the refresh still happens and the cache write
 * is recorded as failed (exit 1 for --once); a cached view without a Redis URL is refused.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createClient } from 'redis';
import { applySpecs, todayUtc } from '../../src/engine';
import { loadSpecs } from '../../src/spec/load';
import { specql } from '../support/cli';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
let dir: string;
const prefix = `specql-cache-test-${process.pid}-${Date.now()}:`;

beforeAll(async () => {
  db = await createTestDatabase('cache');
  dir = mkdtempSync(path.join(os.tmpdir(), 'specql-cache-specs-'));
  for (const file of readdirSync('specs')) copyFileSync(path.join('specs', file), path.join(dir, file));
  const file = path.join(dir, 'performance_metrics.yaml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(/^view:\n/m, 'view:\n  cache:\n    key: top_by_quantity\n    order_by: total_quantity DESC\n    limit: 2\n    ttl: 90 seconds\n'),
  );
  const loaded = await loadSpecs([dir]);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  await applySpecs(loaded.specs, { databaseUrl: db.url, today: todayUtc() });
  await db.pool.query(
    `INSERT INTO analytics.sales_transaction (customer_id, product_id, quantity, unit_price, total_amount, transaction_date, category)
     SELECT NULL, ('00000000-0000-4000-8000-00000000000' || (g % 4))::uuid, g % 4 + 1, 1, g % 4 + 1, now(), 'c' FROM generate_series(1, 40) g`,
  );
}, 120_000);
afterAll(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('a view with a cache needs a Redis URL (or --no-cache)', async () => {
  const saved = process.env.REDIS_URL;
  delete process.env.REDIS_URL;
  try {
    const refused = await specql('worker', dir, '--database-url', db.url, '--once');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('analytics.product_performance_mv has a Redis cache (view.cache): pass --redis-url or set REDIS_URL, or run with --no-cache');
  } finally {
    if (saved !== undefined) process.env.REDIS_URL = saved;
  }
});

test('Redis away: the refresh happens, the cache write is recorded as failed, --once exits 1', async () => {
  const run = await specql('worker', dir, '--database-url', db.url, '--once', '--redis-url', 'redis://127.0.0.1:1');
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/refresh analytics\.product_performance_mv rows=4/);
  expect(run.stdout).toMatch(/ERROR cache analytics\.product_performance_mv -> top_by_quantity .*error: redis:/);
  const runs = await query<{ task: string; failed: boolean }>(db.pool, `SELECT task, error IS NOT NULL AS failed FROM specql.run_log WHERE task IN ('refresh', 'cache') ORDER BY id`);
  expect(runs).toEqual([{ task: 'refresh', failed: false }, { task: 'cache', failed: true }]);
});

test('with Redis: the top rows by the order column, as JSON, under the prefixed key, with the TTL', async () => {
  // The refresh above served this hour's slot; make it due again.
  await db.pool.query(`UPDATE specql.run_log SET started_at = started_at - interval '2 hours' WHERE task = 'refresh'`);
  const run = await specql('worker', dir, '--database-url', db.url, '--once', '--redis-url', 'redis://127.0.0.1:6379', '--redis-key-prefix', prefix);
  expect(run.code).toBe(0);
  const redis = createClient({ url: 'redis://127.0.0.1:6379' });
  await redis.connect();
  try {
    const cached = JSON.parse((await redis.get(`${prefix}top_by_quantity`))!) as { product_id: string; total_quantity: number }[];
    const ttl = await redis.ttl(`${prefix}top_by_quantity`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(90);
    // Products 3 and 2 (quantities 4 and 3 per row, 10 rows each) lead; numbers stay numbers.
    expect(cached.map((r) => [r.product_id, r.total_quantity])).toEqual([
      ['00000000-0000-4000-8000-000000000003', 40],
      ['00000000-0000-4000-8000-000000000002', 30],
    ]);
    // Every view column, in the view's order.
    expect(Object.keys(cached[0]!)).toEqual(['product_id', 'total_sales', 'total_quantity', 'first_sale_date', 'last_sale_date', 'avg_sale_price', 'sales_velocity']);
  } finally {
    await redis.del(`${prefix}top_by_quantity`);
    await redis.close();
  }
});
