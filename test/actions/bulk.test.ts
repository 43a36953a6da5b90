import { loadParser } from '../../src/desired/actions';
import { createSalesSchema, generateSales, salesSpecs, type SaleRow } from '../support/actions-fixture';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;

beforeAll(async () => {
  await loadParser();
  db = await createTestDatabase('actbulk');
  await createSalesSchema(db.pool, salesSpecs());
});
afterAll(() => db.drop());
afterEach(async () => {
  await db.pool.query('TRUNCATE analytics.sales_transaction, analytics.update_performance_metrics_queue');
});

const bulk = (rows: unknown) => db.pool.query<{ n: number }>('SELECT analytics.bulk_insert_transactions($1::jsonb) AS n', [JSON.stringify(rows)]);
const count = async (table: string) => Number((await query<{ n: string }>(db.pool, `SELECT count(*) AS n FROM ${table}`))[0]!.n);

async function rejects(rows: unknown): Promise<{ message: string; code: string }> {
  try {
    await bulk(rows);
  } catch (err) {
    const e = err as { message: string; code: string };
    return { message: e.message, code: e.code };
  }
  throw new Error('the bulk function accepted a bad batch');
}

describe('bulk_insert_transactions(p_transactions jsonb)', () => {
  test('1,000 rows land in the right partitions (rows outside the window in DEFAULT) and are enqueued exactly once', async () => {
    const rows = generateSales(1000, { months: ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06', '2023-11'] });
    const { rows: result } = await bulk(rows);
    expect(result[0]!.n).toBe(1000);
    const expected = new Map<string, number>();
    for (const r of rows) {
      const month = r.transaction_date.slice(0, 7);
      const partition = month < '2024-01' ? 'sales_transaction_default' : `sales_transaction_${month.replace('-', '_')}`;
      expected.set(partition, (expected.get(partition) ?? 0) + 1);
    }
    const actual = await query<{ partition: string; n: string }>(
      db.pool,
      `SELECT tableoid::regclass::text AS partition, count(*) AS n FROM analytics.sales_transaction GROUP BY 1 ORDER BY 1`,
    );
    expect(Object.fromEntries(actual.map((r) => [r.partition.replace('analytics.', ''), Number(r.n)]))).toEqual(
      Object.fromEntries([...expected.entries()].sort()),
    );
    // disable_triggers: the trigger skipped, the function enqueued — once.
    expect(await count('analytics.update_performance_metrics_queue')).toBe(1000);
  });

  test('a UTC offset is honoured: 2024-01-31T23:30:00-08:00 is in February', async () => {
    const [row] = generateSales(1);
    await bulk([{ ...row, transaction_date: '2024-01-31T23:30:00-08:00' }]);
    const [r] = await query<{ p: string }>(db.pool, 'SELECT tableoid::regclass::text AS p FROM analytics.sales_transaction');
    expect(r!.p).toBe('analytics.sales_transaction_2024_02');
  });

  test('after the bulk call the flag is off again: a plain INSERT in the same transaction is enqueued by the trigger', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT analytics.bulk_insert_transactions($1::jsonb)', [JSON.stringify(generateSales(10))]);
      const [extra] = generateSales(1, { offset: 500 });
      await client.query(
        `INSERT INTO analytics.sales_transaction (transaction_id, customer_id, transaction_date, total_amount) VALUES ($1, $2, $3, 5)`,
        [extra!.transaction_id, extra!.customer_id, extra!.transaction_date],
      );
      const [q] = await query<{ n: string }>(client as never, 'SELECT count(*) AS n FROM analytics.update_performance_metrics_queue');
      expect(Number(q!.n)).toBe(11);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  });

  test('an empty array inserts nothing and returns 0', async () => {
    expect((await bulk([])).rows[0]!.n).toBe(0);
  });

  describe('a bad row rejects the whole batch, naming the row (1-based) and the field; nothing is inserted', () => {
    const batch = (bad: (row: SaleRow) => Record<string, unknown>, at: number): unknown[] =>
      generateSales(40).map((r, i) => (i === at - 1 ? bad(r) : r));

    test.each<[string, (r: SaleRow) => unknown, number, RegExp, string]>([
      ['bad type', (r) => ({ ...r, quantity: 'abc' }), 17, /^row 17: field "quantity": invalid input syntax for type integer: "abc"$/, '22P02'],
      ['bad uuid', (r) => ({ ...r, product_id: 'prod-1' }), 2, /^row 2: field "product_id": invalid input syntax for type uuid: "prod-1"$/, '22P02'],
      ['bad timestamp', (r) => ({ ...r, transaction_date: 'yesterday-ish' }), 40, /^row 40: field "transaction_date": invalid input syntax/, '22007'],
      ['numeric overflow', (r) => ({ ...r, unit_price: 123456789.5 }), 9, /^row 9: field "unit_price": numeric field overflow/, '22003'],
      ['missing required field', (r) => { const { transaction_date: _, ...rest } = r; return rest; }, 5, /^row 5: field "transaction_date" is required$/, '23502'],
      ['null required field', (r) => ({ ...r, transaction_id: null }), 6, /^row 6: field "transaction_id" must not be null$/, '23502'],
      ['unknown key', (r) => ({ ...r, colour: 'red' }), 3, /^row 3: unknown field "colour"$/, '22023'],
      ['not an object', () => 42, 11, /^row 11: expected a JSON object, got number$/, '22023'],
    ])('%s', async (_name, bad, at, message, code) => {
      const error = await rejects(batch(bad as (r: SaleRow) => Record<string, unknown>, at));
      expect(error.message).toMatch(message);
      expect(error.code).toBe(code);
      expect(await count('analytics.sales_transaction')).toBe(0);
      expect(await count('analytics.update_performance_metrics_queue')).toBe(0);
    });

    test('not an array', async () => {
      const error = await rejects({ transaction_id: 'x' });
      expect(error.message).toBe('p_transactions must be a JSON array of objects, got object');
    });

    test('a failure no single field explains (duplicate key) keeps PostgreSQL\'s own error', async () => {
      const rows = generateSales(5);
      const error = await rejects([...rows, rows[2]]);
      expect(error.code).toBe('23505');
      expect(error.message).toMatch(/duplicate key value violates unique constraint/);
      expect(await count('analytics.sales_transaction')).toBe(0);
    });
  });
});

test('fields with a default: a missing key takes the default, the set-based path still holds', async () => {
  const other = await createTestDatabase('actbulkdef');
  try {
    await createSalesSchema(other.pool, salesSpecs({ transactionIdDefault: true }));
    const rows = generateSales(100).map(({ transaction_id: _, ...rest }) => rest);
    const { rows: result } = await other.pool.query('SELECT analytics.bulk_insert_transactions($1::jsonb) AS n', [JSON.stringify(rows)]);
    expect(result[0].n).toBe(100);
    const [r] = await query<{ n: string }>(other.pool, 'SELECT count(DISTINCT transaction_id) AS n FROM analytics.sales_transaction');
    expect(Number(r!.n)).toBe(100);
  } finally {
    await other.drop();
  }
});

test('without disable_triggers the enqueue trigger does the enqueuing (once)', async () => {
  const other = await createTestDatabase('actbulknodt');
  try {
    await createSalesSchema(other.pool, salesSpecs({ disableTriggers: false }));
    await other.pool.query('SELECT analytics.bulk_insert_transactions($1::jsonb)', [JSON.stringify(generateSales(250))]);
    const [q] = await query<{ n: string }>(other.pool, 'SELECT count(*) AS n FROM analytics.update_performance_metrics_queue');
    expect(Number(q!.n)).toBe(250);
  } finally {
    await other.drop();
  }
});
