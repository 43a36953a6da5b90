/** bulkLoad (disable_indexes): new interval → standalone table + indexes + ATTACH PARTITION; else COPY, with the reason. */
import { bulkLoad } from '../../src/load/bulk-load';
import type { EntitySpec, SpecSet } from '../../src/spec/model';
import { createFromSpecs, drain, expectMetricsMatchRawSales, generateSales } from '../support/actions-fixture';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
let specs: SpecSet;
let sales: EntitySpec;
beforeAll(async () => {
  db = await createTestDatabase('actbl');
  specs = await createFromSpecs(db.pool); // today 2024-03-15: partitions 2024-01 … 2024-06 and DEFAULT
  sales = specs.entities.find((e) => e.entity === 'SalesTransaction')!;
});
afterAll(() => db.drop());

async function load(rows: object[], disableIndexes = true) {
  const client = await db.pool.connect();
  try {
    return await bulkLoad(client, sales, specs, rows, { disableIndexes });
  } finally {
    client.release();
  }
}

const count = async (sql: string): Promise<number> => Number((await query<{ n: string }>(db.pool, sql))[0]!.n);

test('rows of a month with no partition: loaded into a new table, indexed once, attached; queue filled; metrics exact', async () => {
  const rows = generateSales(2000, { months: ['2024-08'], seed: 21, nullAmountEvery: 77 });
  const result = await load(rows);
  expect(result).toEqual({ rows: 2000, method: 'attach_partition', partition: 'analytics.sales_transaction_p2024_08', fallbackReason: null });

  expect(await count(`SELECT count(*) AS n FROM analytics.sales_transaction WHERE tableoid = 'analytics.sales_transaction_p2024_08'::regclass`)).toBe(2000);
  // Every parent index has exactly one attached child index on the new partition, and all stay valid.
  const indexes = await query<{ parent_index: string; child_index: string | null; valid: boolean }>(
    db.pool,
    `SELECT p.indexrelid::regclass::text AS parent_index,
            (SELECT c.indexrelid::regclass::text FROM pg_index c JOIN pg_inherits i ON i.inhrelid = c.indexrelid
             WHERE i.inhparent = p.indexrelid AND c.indrelid = 'analytics.sales_transaction_p2024_08'::regclass) AS child_index,
            p.indisvalid AS valid
     FROM pg_index p WHERE p.indrelid = 'analytics.sales_transaction'::regclass ORDER BY 1`,
  );
  expect(indexes.length).toBe(4);
  for (const i of indexes) {
    expect(i.child_index).not.toBeNull();
    expect(i.valid).toBe(true);
  }
  expect(await count(`SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'sales_transaction_p2024_08'`)).toBe(4);

  expect(await count('SELECT count(*) AS n FROM analytics.update_performance_metrics_queue')).toBe(2000);
  await drain(db.pool, 1000);
  await expectMetricsMatchRawSales(db.pool);
});

test('rows of a month whose partition exists: plain COPY, and the reason', async () => {
  const result = await load(generateSales(100, { months: ['2024-02'], seed: 22, offset: 100_000 }));
  expect(result.method).toBe('copy');
  expect(result.rows).toBe(100);
  expect(result.fallbackReason).toBe('partition sales_transaction_p2024_02 already holds the range [2024-02-01, 2024-03-01)');
});

test('rows spanning two months: plain COPY, and the reason', async () => {
  const result = await load(generateSales(50, { months: ['2024-10', '2024-11'], seed: 23, offset: 200_000 }));
  expect(result).toMatchObject({ method: 'copy', rows: 50, fallbackReason: 'rows span more than one monthly interval (2024-10-01 and 2024-11-01)' });
});

test('the DEFAULT partition already holds rows of that month: ATTACH refuses, everything rolls back, plain COPY', async () => {
  await load(generateSales(1, { months: ['2025-01'], seed: 24, offset: 300_000 }), false); // lands in DEFAULT
  const result = await load(generateSales(30, { months: ['2025-01'], seed: 25, offset: 400_000 }));
  expect(result.method).toBe('copy');
  expect(result.fallbackReason).toMatch(/^ATTACH PARTITION failed: updated partition constraint for default partition .* would be violated/);
  expect(await count(`SELECT count(*) AS n FROM pg_class WHERE relname = 'sales_transaction_p2025_01'`)).toBe(0);
  expect(await count(`SELECT count(*) AS n FROM analytics.sales_transaction_default WHERE transaction_date >= '2025-01-01Z'`)).toBe(31);
});

test('timestamps without an explicit offset are not guessed at: plain COPY', async () => {
  const rows = generateSales(5, { months: ['2025-03'], seed: 26, offset: 500_000 }).map((r) => ({ ...r, transaction_date: r.transaction_date.replace('Z', '') }));
  const result = await load(rows);
  expect(result.method).toBe('copy');
  expect(result.fallbackReason).toBe('row 1: transaction_date is not a Date or an ISO timestamp with an explicit offset');
});
