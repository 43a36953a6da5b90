import type { Pool } from 'pg';
import { sql } from '../support/sql';
import { loadParser } from '../../src/desired/actions';
import {
  createSalesSchema,
  drain,
  expectMetricsMatchRawSales,
  generateSales,
  METRIC_STEPS,
  metricsSnapshot,
  REFERENCE,
  salesSpecs,
  type SaleRow,
} from '../support/actions-fixture';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

beforeAll(() => loadParser());

const bulk = (pool: Pool, rows: unknown[]) => pool.query('SELECT analytics.bulk_insert_transactions($1::jsonb)', [JSON.stringify(rows)]);

/** Plain multi-row INSERTs (the trigger path, not the bulk function). */
async function insertPlain(pool: Pool, rows: SaleRow[]): Promise<void> {
  const cols = Object.keys(rows[0]!) as (keyof SaleRow)[];
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    const params: unknown[] = [];
    const tuples = chunk.map((r) => `(${cols.map((c) => { params.push(r[c]); return `$${params.length}`; }).join(', ')})`);
    await pool.query(`INSERT INTO analytics.sales_transaction (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, params);
  }
}

describe('asynchronous workflow: queue + batch processor', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('actwf');
    await createSalesSchema(db.pool, salesSpecs());
  });
  afterAll(() => db.drop());

  test('after draining, metrics equal aggregates over the raw sales, row by row (first-seen keys, NULL amounts, NULL keys)', async () => {
    const first = generateSales(1500, { seed: 1, nullAmountEvery: 97, nullKeyEvery: 50, customers: 300 });
    await bulk(db.pool, first.slice(0, 1000));
    await insertPlain(db.pool, first.slice(1000));
    const [queued] = await query<{ n: string }>(db.pool, 'SELECT count(*) AS n FROM analytics.update_performance_metrics_queue');
    expect(Number(queued!.n)).toBe(1500);
    expect((await drain(db.pool, 400)).rows).toBe(1500);
    await expectMetricsMatchRawSales(db.pool);

    // A second round: existing keys accumulate, new keys are created.
    const second = generateSales(700, { seed: 2, offset: 10_000, customers: 400, products: 80 });
    await bulk(db.pool, second);
    expect((await drain(db.pool, 1000)).rows).toBe(700);
    await expectMetricsMatchRawSales(db.pool);
    const [nullTotals] = await query<{ n: string }>(db.pool, 'SELECT count(*) AS n FROM analytics.customer_metrics WHERE total_spent IS NULL');
    expect(Number(nullTotals!.n)).toBeGreaterThan(0); // the NULL-propagation case really occurred
  });

  test('p_batch_size must be positive', async () => {
    await expect(db.pool.query('SELECT analytics.update_performance_metrics_process(0)')).rejects.toThrow(/p_batch_size must be a positive integer/);
  });
});

/** The spec applied literally, one sale at a time in a loop: UPDATE target SET <expressions as written>
 *  WHERE <condition>, after creating a missing row with 0 in its SUM columns. The ground truth. */
function literalSequentialSql(steps = METRIC_STEPS): string {
  const tables: Record<string, { table: string; key: string; sums: string[] }> = {
    ProductMetrics: { table: 'analytics.product_metrics', key: 'product_id', sums: ['total_sales', 'total_quantity'] },
    CustomerMetrics: { table: 'analytics.customer_metrics', key: 'customer_id', sums: ['total_spent', 'total_orders'] },
    CategoryMetrics: { table: 'analytics.category_metrics', key: 'category', sums: ['total_sales', 'total_transactions'] },
  };
  const body = steps.map((step) => {
    const t = tables[step.entity]!;
    const sets = step.assignments.map((a) => `${a.column} = ${a.expression.replace(/transaction\./g, 'r.')}`).join(', ');
    return [
      `    IF r.${t.key} IS NOT NULL THEN`,
      `      INSERT INTO ${t.table} (${t.key}, ${t.sums.join(', ')}) VALUES (r.${t.key}, ${t.sums.map(() => '0').join(', ')}) ON CONFLICT DO NOTHING;`,
      '    END IF;',
      `    UPDATE ${t.table} SET ${sets} WHERE ${step.condition.replace(/transaction\./g, 'r.')};`,
    ].join('\n');
  });
  return ['DO $$', 'DECLARE r record;', 'BEGIN', '  FOR r IN SELECT * FROM analytics.sales_transaction ORDER BY transaction_id LOOP', ...body, '  END LOOP;', 'END $$;'].join('\n');
}

test('the batch processor equals the spec applied literally, one row at a time', async () => {
  const rows = generateSales(800, { seed: 9, nullAmountEvery: 61, nullKeyEvery: 45, customers: 100, products: 25 });
  const literal = await createTestDatabase('actlit');
  const batched = await createTestDatabase('actbat2');
  try {
    for (const d of [literal, batched]) {
      await createSalesSchema(d.pool, salesSpecs());
      await bulk(d.pool, rows);
    }
    await literal.pool.query(literalSequentialSql());
    await drain(batched.pool, 1000);
    expect(await metricsSnapshot(batched.pool)).toEqual(await metricsSnapshot(literal.pool));
  } finally {
    await literal.drop();
    await batched.drop();
  }
});

test('other accumulator shapes (E + col, col - E, GREATEST with several terms, LEAST, a derived ratio with NULLIF) equal the literal one-by-one result', async () => {
  const at = METRIC_STEPS[0]!.at;
  const steps = [
    {
      ...METRIC_STEPS[0]!,
      assignments: [
        { column: 'total_sales', expression: sql('transaction.total_amount + total_sales'), at },
        { column: 'total_quantity', expression: sql('total_quantity - transaction.quantity'), at },
        { column: 'first_sale_date', expression: sql('LEAST(first_sale_date, transaction.transaction_date)'), at },
        { column: 'last_sale_date', expression: sql("GREATEST(transaction.transaction_date - interval '1 day', last_sale_date, transaction.transaction_date)"), at },
        { column: 'avg_sale_price', expression: sql('(transaction.total_amount + total_sales) / NULLIF(total_quantity - transaction.quantity, 0)'), at },
      ],
    },
  ];
  const rows = generateSales(600, { seed: 13, nullAmountEvery: 150, customers: 50, products: 15 });
  const literal = await createTestDatabase('actlit2');
  const batched = await createTestDatabase('actbat3');
  try {
    for (const d of [literal, batched]) {
      await createSalesSchema(d.pool, salesSpecs({ steps }));
      await bulk(d.pool, rows);
    }
    await literal.pool.query(literalSequentialSql(steps));
    await drain(batched.pool, 250);
    const productMetrics = 'SELECT product_id::text, total_sales::text, total_quantity, first_sale_date, last_sale_date, avg_sale_price::text FROM analytics.product_metrics ORDER BY 1';
    const expected = await query(literal.pool, productMetrics);
    expect(expected.length).toBe(15);
    expect(await query(batched.pool, productMetrics)).toEqual(expected);
  } finally {
    await literal.drop();
    await batched.drop();
  }
});

test('batch size 1 (one row at a time) and batch size 1000 give identical metrics', async () => {
  const rows = generateSales(1200, { seed: 7, nullAmountEvery: 41, nullKeyEvery: 90, customers: 150, products: 30 });
  const sequential = await createTestDatabase('actseq');
  const batched = await createTestDatabase('actbat');
  try {
    for (const d of [sequential, batched]) {
      await createSalesSchema(d.pool, salesSpecs());
      await bulk(d.pool, rows);
    }
    expect(await drain(sequential.pool, 1)).toEqual({ calls: 1201, rows: 1200 });
    expect(await drain(batched.pool, 1000)).toEqual({ calls: 3, rows: 1200 });
    const a = await metricsSnapshot(sequential.pool);
    const b = await metricsSnapshot(batched.pool);
    expect(b).toEqual(a);
    await expectMetricsMatchRawSales(batched.pool);
  } finally {
    await sequential.drop();
    await batched.drop();
  }
});

test.each([
  ['single upsert per step', {}],
  ['insert-then-update steps (an accumulator with a default)', { categoryTransactionsDefault: '0' }],
])('two processors on two connections drain the queue concurrently without deadlock or double counting: %s', async (_name, options) => {
  const db = await createTestDatabase('actconc');
  try {
    await createSalesSchema(db.pool, salesSpecs(options));
    // Few keys, so both processors keep touching the same metric rows.
    const rows = generateSales(4000, { seed: 11, customers: 20, products: 10 });
    for (let i = 0; i < rows.length; i += 500) await bulk(db.pool, rows.slice(i, i + 500));
    const worker = async (): Promise<number> => {
      const client = await db.pool.connect();
      let taken = 0;
      let calls = 0;
      try {
        for (;;) {
          const { rows: r } = await client.query<{ n: number }>('SELECT analytics.update_performance_metrics_process(37) AS n');
          calls++;
          if (r[0]!.n === 0) return taken;
          taken += r[0]!.n;
        }
      } finally {
        client.release();
        void calls;
      }
    };
    const [a, b] = await Promise.all([worker(), worker()]);
    expect(a + b).toBe(4000);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    await expectMetricsMatchRawSales(db.pool);
  } finally {
    await db.drop();
  }
});

test('synchronous mode (async_execution: false) gives the same metrics, with no queue', async () => {
  const db = await createTestDatabase('actsync');
  try {
    await createSalesSchema(db.pool, salesSpecs({ asyncExecution: false }));
    const rows = generateSales(1300, { seed: 5, nullAmountEvery: 53, nullKeyEvery: 70 });
    await bulk(db.pool, rows.slice(0, 900));
    await insertPlain(db.pool, rows.slice(900));
    const [q] = await query<{ n: string }>(db.pool, "SELECT count(*) AS n FROM pg_class WHERE relname = 'update_performance_metrics_queue'");
    expect(Number(q!.n)).toBe(0);
    await expectMetricsMatchRawSales(db.pool);
  } finally {
    await db.drop();
  }
});

test('an accumulator column with a default: a first-seen row starts at the default, as one-by-one updates would', async () => {
  const db = await createTestDatabase('actdef');
  try {
    await createSalesSchema(db.pool, salesSpecs({ categoryTransactionsDefault: '100' }));
    const rows = generateSales(900, { seed: 12, nullAmountEvery: 200 });
    await bulk(db.pool, rows.slice(0, 400));
    await drain(db.pool, 150);
    await bulk(db.pool, rows.slice(400));
    await drain(db.pool, 1000);
    const actual = await query(db.pool, 'SELECT category, total_sales::text, total_transactions::int FROM analytics.category_metrics ORDER BY 1');
    const expected = await query(
      db.pool,
      `SELECT category, (CASE WHEN count(*) = count(total_amount) THEN sum(total_amount) END)::numeric(14,2)::text AS total_sales,
              (100 + count(*))::int AS total_transactions
       FROM analytics.sales_transaction GROUP BY 1 ORDER BY 1`,
    );
    expect(actual).toEqual(expected);
    // The other steps still match the raw aggregates.
    expect(await query(db.pool, REFERENCE.productMetrics)).toEqual(await query(db.pool, REFERENCE.product));
    expect(await query(db.pool, REFERENCE.customerMetrics)).toEqual(await query(db.pool, REFERENCE.customer));
  } finally {
    await db.drop();
  }
});

test('synchronous mode: two connections inserting overlapping keys concurrently neither deadlock nor lose updates', async () => {
  const db = await createTestDatabase('actsyncconc');
  try {
    await createSalesSchema(db.pool, salesSpecs({ asyncExecution: false }));
    const rows = generateSales(3000, { seed: 17, customers: 15, products: 8 });
    const writer = async (part: SaleRow[]): Promise<void> => {
      const client = await db.pool.connect();
      try {
        for (let i = 0; i < part.length; i += 150) {
          await client.query('SELECT analytics.bulk_insert_transactions($1::jsonb)', [JSON.stringify(part.slice(i, i + 150))]);
        }
      } finally {
        client.release();
      }
    };
    await Promise.all([writer(rows.filter((_, i) => i % 2 === 0)), writer(rows.filter((_, i) => i % 2 === 1))]);
    await expectMetricsMatchRawSales(db.pool);
  } finally {
    await db.drop();
  }
});
