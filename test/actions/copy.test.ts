import { loadParser } from '../../src/desired/actions';
import { copyRows, copyTextLine, CopyError } from '../../src/load/copy';
import { createSalesSchema, generateSales, salesSpecs } from '../support/actions-fixture';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

const SALES = { schema: 'analytics', name: 'sales_transaction' };
const COLUMNS = ['transaction_id', 'customer_id', 'product_id', 'quantity', 'unit_price', 'total_amount', 'transaction_date', 'payment_method', 'region', 'category'];

let db: TestDatabase;
beforeAll(async () => {
  await loadParser();
  db = await createTestDatabase('actcopy');
  await createSalesSchema(db.pool, salesSpecs());
});
afterAll(() => db.drop());
afterEach(() => db.pool.query('TRUNCATE analytics.sales_transaction, analytics.update_performance_metrics_queue'));

test('text format escapes NULL, tabs, newlines, carriage returns and backslashes', () => {
  expect(copyTextLine({ a: null, b: 'x\ty\nz\r\\', c: '\\N', d: 5, e: true }, ['a', 'b', 'c', 'd', 'e', 'missing'])).toBe(
    '\\N\tx\\ty\\nz\\r\\\\\t\\\\N\t5\tt\t\\N\n',
  );
});

test('COPY loads rows into the parent, routes them to partitions and fires the enqueue trigger', async () => {
  const rows = generateSales(3000, { months: ['2024-01', '2024-02', '2024-03', '2023-06'] });
  const client = await db.pool.connect();
  try {
    // An async iterable works as well as an array.
    async function* stream() {
      yield* rows;
    }
    expect(await copyRows(client, SALES, COLUMNS, stream())).toBe(3000);
  } finally {
    client.release();
  }
  const perPartition = await query<{ p: string; n: string }>(
    db.pool,
    'SELECT tableoid::regclass::text AS p, count(*) AS n FROM analytics.sales_transaction GROUP BY 1 ORDER BY 1',
  );
  expect(perPartition.map((r) => [r.p, Number(r.n)])).toEqual([
    ['analytics.sales_transaction_2024_01', 750],
    ['analytics.sales_transaction_2024_02', 750],
    ['analytics.sales_transaction_2024_03', 750],
    ['analytics.sales_transaction_default', 750],
  ]);
  const [q] = await query<{ n: string }>(db.pool, 'SELECT count(*) AS n FROM analytics.update_performance_metrics_queue');
  expect(Number(q!.n)).toBe(3000);
});

test('awkward text survives the round trip', async () => {
  const [row] = generateSales(1);
  const awkward = 'tab\there, newline\nthere, cr\r, backslash \\ and \\N and "quotes"';
  const client = await db.pool.connect();
  try {
    await copyRows(client, SALES, COLUMNS, [{ ...row, payment_method: awkward, region: null, category: '' }]);
  } finally {
    client.release();
  }
  const [r] = await query<{ payment_method: string; region: string | null; category: string }>(
    db.pool,
    'SELECT payment_method, region, category FROM analytics.sales_transaction',
  );
  expect(r).toEqual({ payment_method: awkward, region: null, category: '' });
});

test('a row PostgreSQL rejects is reported with its row number and column; nothing is loaded', async () => {
  const rows = generateSales(40).map((r, i) => (i === 16 ? { ...r, quantity: 'abc' } : r));
  const client = await db.pool.connect();
  try {
    const error = await copyRows(client, SALES, COLUMNS, rows).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopyError);
    expect((error as CopyError).row).toBe(17);
    expect((error as CopyError).column).toBe('quantity');
    expect((error as CopyError).message).toBe('row 17: field "quantity": invalid input syntax for type integer: "abc"');
    // The connection is still usable.
    expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  } finally {
    client.release();
  }
  const [n] = await query<{ n: string }>(db.pool, 'SELECT count(*) AS n FROM analytics.sales_transaction');
  expect(Number(n!.n)).toBe(0);
});

test('an unknown key is rejected before it reaches the server, and the COPY is abandoned cleanly', async () => {
  const rows = generateSales(10).map((r, i) => (i === 4 ? { ...r, colour: 'red' } : r));
  const client = await db.pool.connect();
  try {
    await expect(copyRows(client, SALES, COLUMNS, rows)).rejects.toThrow('row 5: unknown field "colour"');
    expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  } finally {
    client.release();
  }
  const [n] = await query<{ n: string }>(db.pool, 'SELECT count(*) AS n FROM analytics.sales_transaction');
  expect(Number(n!.n)).toBe(0);
});
