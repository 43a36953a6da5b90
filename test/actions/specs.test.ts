/** The actions as generated from the real specs/ (loader → buildDesired → script steps), today = 2024-03-15. */
import { copyRows } from '../../src/load/copy';
import { createFromSpecs, drain, expectMetricsMatchRawSales, generateSales } from '../support/actions-fixture';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('actspecs');
  await createFromSpecs(db.pool);
});
afterAll(() => db.drop());

const COLUMNS = ['transaction_id', 'customer_id', 'product_id', 'quantity', 'unit_price', 'total_amount', 'transaction_date', 'payment_method', 'region', 'category'];

test('bulk function, COPY and the queue processor on the full DDL of specs/', async () => {
  const months = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06', '2023-10', '2024-09'];
  const viaFunction = generateSales(1000, { seed: 3, months, nullAmountEvery: 83, nullKeyEvery: 61 });
  // transaction_id has a default in specs/: let half the rows leave it out.
  const payload = viaFunction.map((r, i) => (i % 2 ? r : (({ transaction_id: _, ...rest }) => rest)(r)));
  const { rows } = await db.pool.query('SELECT analytics.bulk_insert_transactions($1::jsonb) AS n', [JSON.stringify(payload)]);
  expect(rows[0].n).toBe(1000);

  const partitions = await query<{ name: string; n: string }>(
    db.pool,
    'SELECT tableoid::regclass::text AS name, count(*) AS n FROM analytics.sales_transaction GROUP BY 1 ORDER BY 1',
  );
  const expected = new Map<string, number>();
  for (const r of viaFunction) {
    const month = r.transaction_date.slice(0, 7);
    const name = month >= '2024-01' && month <= '2024-06' ? `analytics.sales_transaction_p${month.replace('-', '_')}` : 'analytics.sales_transaction_default';
    expected.set(name, (expected.get(name) ?? 0) + 1);
  }
  expect(partitions.map((p) => [p.name, Number(p.n)])).toEqual([...expected.entries()].sort());

  const viaCopy = generateSales(2000, { seed: 4, offset: 50_000, nullAmountEvery: 101 });
  const client = await db.pool.connect();
  try {
    expect(await copyRows(client, { schema: 'analytics', name: 'sales_transaction' }, COLUMNS, viaCopy)).toBe(2000);
  } finally {
    client.release();
  }
  const [queued] = await query<{ n: string }>(db.pool, 'SELECT count(*) AS n FROM analytics.update_performance_metrics_queue');
  expect(Number(queued!.n)).toBe(3000);
  expect((await drain(db.pool, 1000)).rows).toBe(3000);
  await expectMetricsMatchRawSales(db.pool);
});
