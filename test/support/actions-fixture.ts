/**
 * Hand-built specs mirroring specs/*.yaml (SalesTransaction and its metrics targets), and
 * the DDL the action tests need, so the action tests do not depend on the spec loader.
 */
import type { Pool, PoolClient, Client } from 'pg';
import { query } from './db';
import { at, entity, field } from './entity-builder';
import { applyFreshScript } from '../../src/engine/fresh';
import type { DbObject } from '../../src/model/objects';
import { actionObjects } from '../../src/desired/actions';
import type { ActionSpec, SpecSet, WorkflowStep } from '../../src/spec/model';
import { createFunction } from '../../src/render/functions';
import { createTriggerSql } from '../../src/render/triggers';
import { createTableSql } from '../../src/render/tables';


export const METRIC_STEPS: WorkflowStep[] = [
  {
    name: 'update_product_metrics',
    action: 'update',
    entity: 'ProductMetrics',
    assignments: [
      { column: 'total_sales', expression: 'total_sales + transaction.total_amount', at },
      { column: 'total_quantity', expression: 'total_quantity + transaction.quantity', at },
      { column: 'first_sale_date', expression: 'LEAST(first_sale_date, transaction.transaction_date)', at },
      { column: 'last_sale_date', expression: 'GREATEST(last_sale_date, transaction.transaction_date)', at },
    ],
    condition: 'product_id = transaction.product_id',
    at,
  },
  {
    name: 'update_customer_metrics',
    action: 'update',
    entity: 'CustomerMetrics',
    assignments: [
      { column: 'total_spent', expression: 'total_spent + transaction.total_amount', at },
      { column: 'total_orders', expression: 'total_orders + 1', at },
      { column: 'last_order_date', expression: 'GREATEST(last_order_date, transaction.transaction_date)', at },
      { column: 'avg_order_value', expression: '(total_spent + transaction.total_amount) / (total_orders + 1)', at },
    ],
    condition: 'customer_id = transaction.customer_id',
    at,
  },
  {
    name: 'update_category_metrics',
    action: 'update',
    entity: 'CategoryMetrics',
    assignments: [
      { column: 'total_sales', expression: 'total_sales + transaction.total_amount', at },
      { column: 'total_transactions', expression: 'total_transactions + 1', at },
    ],
    condition: 'category = transaction.category',
    at,
  },
];

export interface FixtureOptions {
  readonly asyncExecution?: boolean;
  readonly disableTriggers?: boolean;
  readonly steps?: WorkflowStep[];
  /** A default on transaction_id (exercises the per-element path of the bulk function). */
  readonly transactionIdDefault?: boolean;
  /** The workflow's batch_updates hint (default true). */
  readonly batchUpdates?: boolean;
  /** A default on CategoryMetrics.total_transactions: first-seen rows start there (two-statement step). */
  readonly categoryTransactionsDefault?: string;
}

export function salesSpecs(options: FixtureOptions = {}): SpecSet {
  const actions: ActionSpec[] = [
    {
      kind: 'bulk_operation',
      name: 'bulk_insert_transactions',
      operation: 'insert',
      batchField: 'transactions',
      hints: { disableTriggers: options.disableTriggers ?? true, disableIndexes: true, copyMode: true },
      at,
    },
    {
      kind: 'workflow',
      name: 'update_performance_metrics',
      trigger: 'transaction_inserted',
      hints: { asyncExecution: options.asyncExecution ?? true, batchUpdates: options.batchUpdates ?? true, materializedViews: true },
      steps: options.steps ?? METRIC_STEPS,
      at,
    },
  ];
  const sales = entity({
    entity: 'SalesTransaction',
    table: 'sales_transaction',
    fields: [
      field('transaction_id', 'uuid', { notNull: true, default: options.transactionIdDefault ? 'gen_random_uuid()' : undefined }),
      field('customer_id', 'uuid'),
      field('product_id', 'uuid'),
      field('quantity', 'integer'),
      field('unit_price', 'numeric(10,2)'),
      field('total_amount', 'numeric(10,2)'),
      field('transaction_date', 'timestamp with time zone', { notNull: true }),
      field('payment_method', 'text'),
      field('region', 'text'),
      field('category', 'text'),
    ],
    primaryKey: ['transaction_id', 'transaction_date'],
    actions,
  });
  const product = entity({
    entity: 'ProductMetrics',
    table: 'product_metrics',
    fields: [
      field('product_id', 'uuid', { notNull: true }),
      field('total_sales', 'numeric(12,2)'),
      field('total_quantity', 'integer'),
      field('first_sale_date', 'timestamp with time zone'),
      field('last_sale_date', 'timestamp with time zone'),
      field('avg_sale_price', 'numeric(10,2)'),
      field('sales_velocity', 'numeric(5,2)'),
    ],
    primaryKey: ['product_id'],
  });
  const customer = entity({
    entity: 'CustomerMetrics',
    table: 'customer_metrics',
    fields: [
      field('customer_id', 'uuid', { notNull: true }),
      field('total_spent', 'numeric(12,2)'),
      field('total_orders', 'integer'),
      field('avg_order_value', 'numeric(10,2)'),
      field('last_order_date', 'timestamp with time zone'),
      field('customer_segment', 'text'),
    ],
    primaryKey: ['customer_id'],
  });
  const category = entity({
    entity: 'CategoryMetrics',
    table: 'category_metrics',
    fields: [
      field('category', 'text', { notNull: true }),
      field('total_sales', 'numeric(14,2)'),
      field('total_transactions', 'bigint', { default: options.categoryTransactionsDefault }),
    ],
    primaryKey: ['category'],
  });
  return { entities: [sales, product, customer, category] };
}

/** Monthly partitions 2024-01 … 2024-06 plus DEFAULT, and the spec's indexes (GiST via btree_gist). */
export function entityTablesSql(specs: SpecSet, options: { indexes?: boolean; months?: string[] } = {}): string[] {
  const months = options.months ?? ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06'];
  const sql = ['CREATE SCHEMA IF NOT EXISTS analytics;'];
  for (const e of specs.entities) {
    const cols = e.fields.map((f) => `  ${f.name} ${f.type}${f.default ? ` DEFAULT ${f.default}` : ''}${f.notNull ? ' NOT NULL' : ''}`);
    cols.push(`  PRIMARY KEY (${e.primaryKey.join(', ')})`);
    const partitioned = e.entity === 'SalesTransaction';
    sql.push(`CREATE TABLE analytics.${e.table} (\n${cols.join(',\n')}\n)${partitioned ? ' PARTITION BY RANGE (transaction_date)' : ''};`);
    if (partitioned) {
      for (const m of months) {
        const [y, mo] = m.split('-').map(Number) as [number, number];
        const next = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
        sql.push(
          `CREATE TABLE analytics.${e.table}_${m.replace('-', '_')} PARTITION OF analytics.${e.table} ` +
            `FOR VALUES FROM ('${m}-01 00:00:00+00') TO ('${next}-01 00:00:00+00');`,
        );
      }
      sql.push(`CREATE TABLE analytics.${e.table}_default PARTITION OF analytics.${e.table} DEFAULT;`);
      if (options.indexes !== false) {
        sql.push(
          'CREATE EXTENSION IF NOT EXISTS btree_gist;',
          `CREATE INDEX idx_sales_transaction_date ON analytics.${e.table} USING brin (transaction_date) WITH (pages_per_range = 128);`,
          `CREATE INDEX idx_sales_customer_product ON analytics.${e.table} (customer_id, product_id);`,
          `CREATE INDEX idx_sales_region_category_date ON analytics.${e.table} USING gist (region, category, transaction_date);`,
        );
      }
    }
  }
  return sql;
}

/** Every statement the generator produces for the actions of `entity` (tables, functions, grants, triggers). */
export function actionSql(objects: readonly DbObject[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    if (o.kind === 'table') out.push(createTableSql(o));
    else if (o.kind === 'function') out.push(...createFunction(o).map((s) => s.sql));
    else if (o.kind === 'trigger') out.push(createTriggerSql(o));
  }
  return out;
}

export async function createSalesSchema(db: Pool | PoolClient | Client, specs: SpecSet, options: { indexes?: boolean } = {}): Promise<string[]> {
  const sales = specs.entities.find((e) => e.entity === 'SalesTransaction')!;
  const statements = [...entityTablesSql(specs, options), ...actionSql(actionObjects(sales, specs).objects)];
  for (const s of statements) await db.query(s);
  return statements;
}

export { generateSales, rng, type SaleRow } from '../../src/load/sample-sales';

/** What applying every sale one by one must give, computed straight from the raw table.
 *  SUM columns start at 0 for a first-seen key; one NULL amount makes the sum NULL for good. */
export const REFERENCE = {
  product: `
    SELECT product_id::text,
           (CASE WHEN count(*) = count(total_amount) THEN sum(total_amount) END)::numeric(12,2)::text AS total_sales,
           (CASE WHEN count(*) = count(quantity) THEN sum(quantity) END)::integer AS total_quantity,
           min(transaction_date) AS first_sale_date,
           max(transaction_date) AS last_sale_date
    FROM analytics.sales_transaction WHERE product_id IS NOT NULL GROUP BY product_id ORDER BY 1`,
  productMetrics: `
    SELECT product_id::text, total_sales::text, total_quantity, first_sale_date, last_sale_date
    FROM analytics.product_metrics ORDER BY 1`,
  customer: `
    SELECT customer_id::text,
           (CASE WHEN count(*) = count(total_amount) THEN sum(total_amount) END)::numeric(12,2)::text AS total_spent,
           count(*)::integer AS total_orders,
           max(transaction_date) AS last_order_date,
           ((CASE WHEN count(*) = count(total_amount) THEN sum(total_amount) END) / count(*))::numeric(10,2)::text AS avg_order_value
    FROM analytics.sales_transaction WHERE customer_id IS NOT NULL GROUP BY customer_id ORDER BY 1`,
  customerMetrics: `
    SELECT customer_id::text, total_spent::text, total_orders, last_order_date, avg_order_value::text
    FROM analytics.customer_metrics ORDER BY 1`,
  category: `
    SELECT category,
           (CASE WHEN count(*) = count(total_amount) THEN sum(total_amount) END)::numeric(14,2)::text AS total_sales,
           count(*)::text AS total_transactions
    FROM analytics.sales_transaction WHERE category IS NOT NULL GROUP BY category ORDER BY 1`,
  categoryMetrics: `SELECT category, total_sales::text, total_transactions::text FROM analytics.category_metrics ORDER BY 1`,
};

export async function expectMetricsMatchRawSales(pool: Pool): Promise<void> {
  expect(await query(pool, REFERENCE.productMetrics)).toEqual(await query(pool, REFERENCE.product));
  expect(await query(pool, REFERENCE.customerMetrics)).toEqual(await query(pool, REFERENCE.customer));
  expect(await query(pool, REFERENCE.categoryMetrics)).toEqual(await query(pool, REFERENCE.category));
}

export async function metricsSnapshot(pool: Pool): Promise<unknown[]> {
  return [await query(pool, REFERENCE.productMetrics), await query(pool, REFERENCE.customerMetrics), await query(pool, REFERENCE.categoryMetrics)];
}

export async function drain(pool: Pool, batchSize: number): Promise<{ calls: number; rows: number }> {
  let calls = 0;
  let rows = 0;
  for (;;) {
    const { rows: r } = await pool.query<{ n: number }>('SELECT analytics.update_performance_metrics_process($1) AS n', [batchSize]);
    calls++;
    if (r[0]!.n === 0) return { calls, rows };
    rows += r[0]!.n;
  }
}


/** The real thing: specs/ loaded, the desired state built for `today`, every create step applied in order. */
export async function createFromSpecs(pool: Pool, today = '2024-03-15'): Promise<SpecSet> {
  return applyFreshScript(pool, today);
}
