/**
 * An index added to a partitioned table with 30+ partitions while 4 writers
 * insert 5–20-row batches spread over every partition, in random order: no
 * write fails, no deadlock happens (counted by the server in
 * pg_stat_database.deadlocks, and in the apply's own retries), and the index
 * ends valid and attached everywhere. One ATTACH per short transaction: each
 * holds one child index, so it cannot close a cycle with a writer.
 */
import { applySpecs } from '../../src/engine';
import { createTestDatabase, parentIndexes, query, type TestDatabase } from '../support/db';
import { loadTexts, replaceOnce, repoSpecs } from '../support/spec-variants';
import { whileWriting } from '../support/writers';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('attach');
});
afterAll(async () => {
  await db.drop();
});

const SALES_COLUMNS = ['transaction_id', 'customer_id', 'product_id', 'quantity', 'unit_price', 'total_amount', 'transaction_date', 'payment_method', 'region', 'category'];
const TODAY = '2026-06-15';
const MONTHS = Array.from({ length: 30 }, (_, i) => `${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);

async function deadlocks(): Promise<number> {
  await db.pool.query('SELECT pg_stat_force_next_flush()').catch(() => undefined);
  const [{ n }] = await query<{ n: string }>(db.pool, 'SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()');
  return Number(n);
}

test('adding an index to a partitioned table under 4 multi-row writers: zero failed writes, zero deadlocks', async () => {
  const base = repoSpecs();
  const opts = { databaseUrl: db.url, today: TODAY };
  await applySpecs(await loadTexts(base), opts);
  await db.pool.query(`INSERT INTO analytics.sales_transaction (transaction_id, customer_id, product_id, quantity, total_amount, transaction_date, category)
    SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 1, 10, timestamptz '2024-01-01' + (g % 900) * interval '1 day', 'books' FROM generate_series(1, 30000) g`);
  const withIndex = replaceOnce(base, 'sales_analytics.yaml', '\npartitioning:', '\n  - name: idx_sales_payment_region\n    columns: [payment_method, region]\n\npartitioning:');
  const specs = await loadTexts(withIndex);
  const before = await deadlocks();
  const progress: string[] = [];
  const { result, stats } = await whileWriting(
    db.url,
    { table: { schema: 'analytics', name: 'sales_transaction' }, columns: SALES_COLUMNS, kinds: ['batch'], perKind: 4, months: MONTHS, pauseMs: 0 },
    () => applySpecs(specs, { ...opts, onProgress: (m) => progress.push(m) }),
  );
  const after = await deadlocks();
  const attaches = result.plan.steps.filter((s) => s.action === 'attach').length;
  const applyDeadlocks = progress.filter((m) => /deadlock/.test(m)).length;
  process.stdout.write(
    `attach under writers: ${attaches} attaches, ${stats.byKind.batch.statements} batches (${stats.rows} rows), ${stats.failures.length} failed, ` +
      `server deadlocks ${after - before}, apply deadlock retries ${applyDeadlocks}, longest batch ${stats.maxMs} ms, apply ${result.report.durationMs} ms\n`,
  );
  expect(attaches).toBeGreaterThanOrEqual(30);
  expect(stats.byKind.batch.statements).toBeGreaterThan(0);
  expect({ failures: stats.failures, serverDeadlocks: after - before, applyDeadlocks }).toEqual({ failures: [], serverDeadlocks: 0, applyDeadlocks: 0 });
  const index = (await parentIndexes(db.pool, 'analytics.sales_transaction')).find((i) => i.name === 'idx_sales_payment_region');
  expect(index).toEqual({ name: 'idx_sales_payment_region', valid: true, children: attaches });
}, 600_000);
