/**
 * `specql worker` as a real child process against a real PostgreSQL:
 * - NOTIFY wakes it (the fallback poll is set to 10 minutes, so only a
 *   notification can explain a drain within the test's bound), for INSERT,
 *   COPY and the bulk function, and the metrics then equal aggregates over the
 *   base table; rows that arrived late leave DEFAULT when it starts;
 * - SIGTERM while a batch is in flight: that batch completes, no further one
 *   starts, exit code 0;
 * - SIGKILL mid-batch: the batch rolls back, no queued row is lost, and the
 *   next worker finishes it exactly;
 * - two workers never refresh one view at once and run each slot once;
 * - the Redis hot cache is written after a refresh (real Redis at 127.0.0.1:6379).
 * The database restarting under the worker is in ./worker-restart.test.ts.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { createClient } from 'redis';
import { applySpecs, todayUtc } from '../../src/engine';
import { copyRows } from '../../src/load/copy';
import { generateSales } from '../../src/load/sample-sales';
import { loadSpecs } from '../../src/spec/load';
import { compileCli, eventually, type CompiledCli } from '../support/child-cli';
import { createTestDatabase, query, type TestDatabase } from '../support/db';
import { metricMismatches, queueDepth } from '../support/metrics';

const SALES_COLUMNS = ['transaction_id', 'customer_id', 'product_id', 'quantity', 'unit_price', 'total_amount', 'transaction_date', 'payment_method', 'region', 'category'];

let cli: CompiledCli;
beforeAll(() => {
  cli = compileCli();
}, 240_000);
afterAll(() => cli?.remove());

/** specs/ copied to a temp dir, with `edit` applied to performance_metrics.yaml. */
function specsCopy(edit: (text: string) => string = (t) => t): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'specql-worker-specs-'));
  for (const file of readdirSync('specs')) copyFileSync(path.join('specs', file), path.join(dir, file));
  const file = path.join(dir, 'performance_metrics.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return dir;
}

async function applied(dir: string, db: TestDatabase): Promise<void> {
  const loaded = await loadSpecs([dir]);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const { report } = await applySpecs(loaded.specs, { databaseUrl: db.url, today: todayUtc() });
  expect(report.ok).toBe(true);
}

/** Sales of this month, so they route to a real partition whatever day the suite runs. */
function salesNow(count: number, seed: number, offset: number, options: { categories?: boolean } = {}): ReturnType<typeof generateSales> {
  const month = todayUtc().slice(0, 7);
  return generateSales(count, { months: [month], seed, offset, products: 40, customers: 300 }).map((r) => ({
    ...r,
    transaction_date: `${todayUtc()}T${r.transaction_date.slice(11)}`,
    ...(options.categories === false ? { product_id: null } : {}),
  }));
}

describe('one worker on specs/', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase('worker');
    dir = specsCopy();
    await applied(dir, db);
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('NOTIFY wakes it for INSERT, COPY and the bulk function; late rows leave DEFAULT at start; metrics become exact; SIGTERM exits 0', async () => {
    // A late row: older than the window's start (2024-01-01) yet within 36 months of retention.
    const cutoff = new Date(`${todayUtc().slice(0, 7)}-01T00:00:00Z`);
    cutoff.setUTCMonth(cutoff.getUTCMonth() - 35);
    const lateDay = cutoff.toISOString().slice(0, 10);
    await db.pool.query(
      `INSERT INTO analytics.sales_transaction (customer_id, product_id, quantity, unit_price, total_amount, transaction_date, category)
       VALUES ('00000000-0000-4000-8000-000000000001', NULL, 1, 3.00, 3.00, $1, 'late')`,
      [`${lateDay}T12:00:00Z`],
    );
    const lateInDefault = await query<{ n: number }>(db.pool, `SELECT count(*)::int AS n FROM analytics.sales_transaction_default`);
    const worker = cli.spawn(['worker', dir, '--database-url', db.url, '--poll-interval', '600']);
    try {
      await worker.waitFor(/maintain analytics\.sales_transaction .*reason=start/);
      expect(await query(db.pool, `SELECT count(*)::int AS n FROM analytics.sales_transaction_default`)).toEqual([{ n: 0 }]);
      if (lateDay < '2024-01-01') {
        expect(lateInDefault).toEqual([{ n: 1 }]);
        expect(worker.output()).toContain('late rows from DEFAULT');
      }
      // The listener is up (it drains everything once when it starts listening).
      await eventually(async () => (await queueDepth(db.pool)) === 0, 'the late row is drained');
      const before = (worker.output().match(/ drain /g) ?? []).length;

      // 1. a multi-row INSERT
      const insert = salesNow(1_000, 1, 0);
      await db.pool.query(
        `INSERT INTO analytics.sales_transaction SELECT * FROM jsonb_populate_recordset(NULL::analytics.sales_transaction, $1::jsonb)`,
        [JSON.stringify(insert)],
      );
      // 2. COPY
      const client = await db.pool.connect();
      try {
        await copyRows(client, { schema: 'analytics', name: 'sales_transaction' }, SALES_COLUMNS, salesNow(5_000, 2, 10_000));
      } finally {
        client.release();
      }
      // 3. the bulk function (disable_triggers: it enqueues the rows itself, and notifies too)
      await db.pool.query('SELECT analytics.bulk_insert_transactions($1::jsonb)', [JSON.stringify(salesNow(500, 3, 20_000))]);

      await eventually(async () => (await queueDepth(db.pool)) === 0, 'the queue is drained by notifications alone (the poll is 10 minutes)');
      expect((worker.output().match(/ drain /g) ?? []).length).toBeGreaterThan(before);
      expect(await metricMismatches(db.pool)).toEqual([]);
      const [counts] = await query<{ n: number; m: number }>(
        db.pool,
        `SELECT (SELECT count(*)::int FROM analytics.sales_transaction) AS n, (SELECT sum(total_transactions)::int FROM analytics.category_metrics) AS m`,
      );
      expect(counts).toEqual({ n: 6_501, m: 6_501 });
      // Every drain is in the run log.
      const [logged] = await query<{ rows: number }>(db.pool, `SELECT sum(rows)::int AS rows FROM specql.run_log WHERE task = 'drain' AND error IS NULL`);
      expect(logged!.rows).toBe(6_501);
    } finally {
      worker.kill('SIGTERM');
    }
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.output()).toMatch(/stop stopped/);
  }, 180_000);

  test('SIGTERM while a batch waits for a lock: that batch completes, no other starts, exit 0', async () => {
    // 30,000 queued rows of one category: three batches of 10,000, each needing that category's row.
    await db.pool.query(
      `INSERT INTO analytics.category_metrics (category, total_sales, total_transactions) VALUES ('held', 0, 0) ON CONFLICT DO NOTHING`,
    );
    await db.pool.query(
      `INSERT INTO analytics.sales_transaction (customer_id, product_id, quantity, unit_price, total_amount, transaction_date, category)
       SELECT NULL, NULL, 1, 1.00, 1.00, now(), 'held' FROM generate_series(1, 30000)`,
    );
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT * FROM analytics.category_metrics WHERE category = 'held' FOR UPDATE`);
    const worker = cli.spawn(['worker', dir, '--database-url', db.url, '--poll-interval', '600']);
    try {
      await eventually(
        async () =>
          (await query(db.pool, `SELECT 1 FROM pg_stat_activity WHERE application_name = 'specql worker drain' AND wait_event_type = 'Lock'`)).length > 0,
        'the worker waits on the held row, mid-batch',
      );
      worker.kill('SIGTERM');
      await worker.waitFor(/SIGTERM received/);
      await new Promise((r) => setTimeout(r, 300));
      expect(worker.child.exitCode).toBeNull(); // still finishing its batch
    } finally {
      await holder.query('COMMIT');
      await holder.end();
    }
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(await queueDepth(db.pool)).toBe(20_000);
    expect(worker.output()).toMatch(/drain analytics\.update_performance_metrics_queue rows=10000/);
    // The next worker takes the rest, exactly.
    const once = cli.spawn(['worker', dir, '--database-url', db.url, '--once']);
    expect(await once.exited).toEqual({ code: 0, signal: null });
    expect(await queueDepth(db.pool)).toBe(0);
    expect(await metricMismatches(db.pool)).toEqual([]);
  }, 180_000);

  test('SIGKILL mid-batch loses no queued row; the next worker finishes it exactly', async () => {
    // The server notices a vanished client even while it waits on a lock.
    await db.pool.query(`ALTER DATABASE ${db.name} SET client_connection_check_interval = '200ms'`);
    await db.pool.query(
      `INSERT INTO analytics.sales_transaction (customer_id, product_id, quantity, unit_price, total_amount, transaction_date, category)
       SELECT '00000000-0000-4000-8000-0000000000aa', NULL, 2, 1.50, 3.00, now(), 'held' FROM generate_series(1, 4000)`,
    );
    const queued = await queueDepth(db.pool);
    expect(queued).toBe(4_000);
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT * FROM analytics.category_metrics WHERE category = 'held' FOR UPDATE`);
    const worker = cli.spawn(['worker', dir, '--database-url', db.url, '--poll-interval', '600']);
    try {
      await eventually(
        async () =>
          (await query(db.pool, `SELECT 1 FROM pg_stat_activity WHERE application_name = 'specql worker drain' AND wait_event_type = 'Lock'`)).length > 0,
        'the worker is mid-batch',
      );
      worker.kill('SIGKILL');
      expect((await worker.exited).signal).toBe('SIGKILL');
      await eventually(
        async () => (await query(db.pool, `SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'specql worker%'`)).length === 0,
        'the killed worker\'s sessions are gone',
      );
    } finally {
      await holder.query('COMMIT');
      await holder.end();
    }
    // Its batch rolled back: every row is still queued.
    expect(await queueDepth(db.pool)).toBe(queued);
    const next = cli.spawn(['worker', dir, '--database-url', db.url, '--once']);
    expect(await next.exited).toEqual({ code: 0, signal: null });
    expect(await queueDepth(db.pool)).toBe(0);
    expect(await metricMismatches(db.pool)).toEqual([]);
  }, 180_000);
});

describe('two workers and a view refreshed every 2 seconds, cached in Redis', () => {
  let db: TestDatabase;
  let dir: string;
  const prefix = `specql-test-${process.pid}-${Date.now()}:`;
  beforeAll(async () => {
    db = await createTestDatabase('worker2');
    dir = specsCopy((text) =>
      text
        .replace('refresh_interval: "1 hour"', 'refresh_interval: "2 seconds"')
        .replace(
          /^view:\n/m,
          'view:\n  cache:\n    key: hot_products\n    order_by: total_sales DESC\n    limit: 3\n    ttl: 1 hour\n    columns: [product_id, total_sales, sales_velocity]\n',
        ),
    );
    await applied(dir, db);
    const client = await db.pool.connect();
    try {
      await copyRows(client, { schema: 'analytics', name: 'sales_transaction' }, SALES_COLUMNS, salesNow(3_000, 7, 0));
    } finally {
      client.release();
    }
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('they never refresh the view at once, and each slot is refreshed once; the cache holds the top rows', async () => {
    const redis = createClient({ url: 'redis://127.0.0.1:6379' });
    await redis.connect();
    const args = ['worker', dir, '--database-url', db.url, '--poll-interval', '1', '--redis-url', 'redis://127.0.0.1:6379', '--redis-key-prefix', prefix];
    const a = cli.spawn(args);
    const b = cli.spawn(args);
    try {
      // Hold the view's base table now and then, so that a refresh takes long enough to be overlapped.
      for (let i = 0; i < 3; i++) {
        await a.waitFor(/refresh analytics\.product_performance_mv/);
        const holder = new Client({ connectionString: db.url });
        await holder.connect();
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE analytics.product_metrics IN ACCESS EXCLUSIVE MODE');
        await new Promise((r) => setTimeout(r, 2_500));
        await holder.query('COMMIT');
        await holder.end();
      }
      await eventually(
        async () => (await query(db.pool, `SELECT 1 FROM specql.run_log WHERE task = 'refresh'`)).length >= 6,
        'several refreshes',
        90_000,
      );
    } finally {
      a.kill('SIGTERM');
      b.kill('SIGTERM');
    }
    expect((await a.exited).code).toBe(0);
    expect((await b.exited).code).toBe(0);

    const runs = await query<{ started: Date; finished: Date; worker: string; detail: string }>(
      db.pool,
      `SELECT started_at AS started, finished_at AS finished, worker, detail FROM specql.run_log WHERE task = 'refresh' AND error IS NULL ORDER BY started_at`,
    );
    // Never two at once, …
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.started.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finished.getTime());
    // … and never twice for one slot, although both were due at every slot.
    const slots = runs.map((r) => r.detail);
    expect(new Set(slots).size).toBe(slots.length);
    // The lock was contended at least once (the other worker skipped rather than waited).
    expect(a.output() + b.output()).toContain('skipped: another worker is refreshing it');

    // The cache: the view's top 3 by total_sales, as JSON, with its TTL.
    const cached = await redis.get(`${prefix}hot_products`);
    const ttl = await redis.ttl(`${prefix}hot_products`);
    await redis.del(`${prefix}hot_products`);
    await redis.close();
    expect(ttl).toBeGreaterThan(3_000);
    expect(ttl).toBeLessThanOrEqual(3_600);
    const top = await query<{ json: string }>(
      db.pool,
      `SELECT json_agg(json_build_object('product_id', product_id, 'total_sales', total_sales, 'sales_velocity', sales_velocity)
                       ORDER BY total_sales DESC NULLS LAST, product_id)::text AS json
       FROM (SELECT * FROM analytics.product_performance_mv ORDER BY total_sales DESC NULLS LAST, product_id LIMIT 3) t`,
    );
    expect(JSON.parse(cached!)).toEqual(JSON.parse(top[0]!.json));
    expect(JSON.parse(cached!)).toHaveLength(3);
    expect(Object.keys(JSON.parse(cached!)[0])).toEqual(['product_id', 'total_sales', 'sales_velocity']);
  }, 240_000);
});
