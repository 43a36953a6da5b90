/** specs/ (the example made valid, with our extensions) must load cleanly into the exact model. */
import { loadSpecs } from '../../src/spec/load';
import type { EntitySpec, SpecSet, WorkflowAction } from '../../src/spec/model';

let specs: SpecSet;
let diagnostics: unknown[];
const byName = (name: string): EntitySpec => specs.entities.find((e) => e.entity === name)!;

beforeAll(async () => {
  ({ specs, diagnostics } = await loadSpecs(['specs/']));
});

test('specs/ loads with no errors and no warnings', () => {
  expect(diagnostics).toEqual([]);
  expect(specs.entities.map((e) => e.entity)).toEqual(['ProductMetrics', 'CustomerMetrics', 'CategoryMetrics', 'SalesTransaction']);
});

test('entities carry schema, table, description and their position', () => {
  const sales = byName('SalesTransaction');
  expect(sales.schema).toBe('analytics');
  expect(sales.table).toBe('sales_transaction');
  expect(sales.description).toBe('High-performance sales transaction processing');
  expect(sales.at).toEqual({ file: 'specs/sales_analytics.yaml', line: 3, column: 1 });
  expect(byName('CustomerMetrics').at).toEqual({ file: 'specs/performance_metrics.yaml', line: 34, column: 1 });
});

test('field types are normalised to format_type spelling, spec spelling kept', () => {
  const fields = byName('SalesTransaction').fields.map((f) => [f.name, f.type, f.specType, f.notNull, f.default]);
  expect(fields).toEqual([
    ['transaction_id', 'uuid', 'uuid', true, 'gen_random_uuid()'],
    ['customer_id', 'uuid', 'uuid', false, null],
    ['product_id', 'uuid', 'uuid', false, null],
    ['quantity', 'integer', 'integer', false, null],
    ['unit_price', 'numeric(10,2)', 'decimal(10,2)', false, null],
    ['total_amount', 'numeric(10,2)', 'decimal(10,2)', false, null],
    ['transaction_date', 'timestamp with time zone', 'timestamptz', true, null],
    ['payment_method', 'text', 'text', false, null],
    ['region', 'text', 'text', false, null],
    ['category', 'text', 'text', false, null],
  ]);
  expect(byName('CategoryMetrics').fields.map((f) => f.type)).toEqual(['text', 'numeric(14,2)', 'bigint']);
  expect(byName('SalesTransaction').fields[0].at).toEqual({ file: 'specs/sales_analytics.yaml', line: 8, column: 3 });
});

test('primary keys: default first *_id field, explicit primary_key, partition column appended', () => {
  expect(byName('SalesTransaction').primaryKey).toEqual(['transaction_id', 'transaction_date']);
  expect(byName('ProductMetrics').primaryKey).toEqual(['product_id']);
  expect(byName('CustomerMetrics').primaryKey).toEqual(['customer_id']);
  expect(byName('CategoryMetrics').primaryKey).toEqual(['category']);
  const category = byName('CategoryMetrics').fields[0];
  expect([category.notNull, category.default]).toEqual([true, null]); // text key: no generated default
});

test('indexes: methods, order, BRIN pages_per_range default', () => {
  expect(byName('SalesTransaction').indexes.map((i) => [i.name, i.method, i.columns.map((c) => c.column + (c.descending ? ' DESC' : '')), i.unique, i.pagesPerRange])).toEqual([
    ['idx_sales_transaction_date', 'brin', ['transaction_date'], false, 128],
    ['idx_sales_customer_product', 'btree', ['customer_id', 'product_id'], false, null],
    ['idx_sales_region_category_date', 'gist', ['region', 'category', 'transaction_date'], false, null],
  ]);
  expect(byName('ProductMetrics').indexes[0].columns).toEqual([{ column: 'total_sales', descending: true }]);
});

test('partitioning window', () => {
  const { at, ...partitioning } = byName('SalesTransaction').partitioning!;
  expect(partitioning).toEqual({
    strategy: 'range',
    column: 'transaction_date',
    interval: 'monthly',
    start: '2024-01-01',
    premake: 3,
    retention: 36,
    archiveSchema: 'analytics_archive',
    defaultPartition: true,
  });
  expect(at.line).toBe(33);
});

test('actions: bulk operation and workflow with hints, steps and assignments', () => {
  const [bulk, workflow] = byName('SalesTransaction').actions;
  expect(bulk).toMatchObject({
    kind: 'bulk_operation',
    name: 'bulk_insert_transactions',
    operation: 'insert',
    batchField: 'transactions',
    hints: { disableTriggers: true, disableIndexes: true, copyMode: true },
  });
  const wf = workflow as WorkflowAction;
  expect(wf.kind).toBe('workflow');
  expect(wf.trigger).toBe('transaction_inserted');
  expect(wf.hints).toEqual({ asyncExecution: true, batchUpdates: true, materializedViews: true });
  expect(wf.steps.map((s) => [s.name, s.entity, s.condition])).toEqual([
    ['update_product_metrics', 'ProductMetrics', 'product_id = transaction.product_id'],
    ['update_customer_metrics', 'CustomerMetrics', 'customer_id = transaction.customer_id'],
    ['update_category_metrics', 'CategoryMetrics', 'category = transaction.category'],
  ]);
  expect(wf.steps[0].assignments.map((a) => [a.column, a.expression])).toEqual([
    ['total_sales', 'total_sales + transaction.total_amount'],
    ['total_quantity', 'total_quantity + transaction.quantity'],
    ['first_sale_date', 'LEAST(first_sale_date, transaction.transaction_date)'],
    ['last_sale_date', 'GREATEST(last_sale_date, transaction.transaction_date)'],
  ]);
  expect(wf.steps[0].assignments[0].at).toEqual({ file: 'specs/sales_analytics.yaml', line: 69, column: 11 });
});

test('materialized view: fields in order, view.columns replacing same-named ones, key, refresh', () => {
  const { at, ...view } = byName('ProductMetrics').materializedView!;
  expect(view).toEqual({
    name: 'product_performance_mv',
    refreshStrategy: 'concurrent',
    refreshInterval: '1 hour',
    refreshSeconds: 3600,
    columns: [
      { name: 'product_id', expression: 'product_id' },
      { name: 'total_sales', expression: 'total_sales' },
      { name: 'total_quantity', expression: 'total_quantity' },
      { name: 'first_sale_date', expression: 'first_sale_date' },
      { name: 'last_sale_date', expression: 'last_sale_date' },
      // As the deparser prints the checked trees.
      { name: 'avg_sale_price', expression: 'round(total_sales / (NULLIF(total_quantity, 0)), 2)' },
      { name: 'sales_velocity', expression: "round(total_quantity / GREATEST(extract ('epoch' FROM last_sale_date - first_sale_date) / 86400, 1), 2)" },
    ],
    filter: null,
    uniqueKey: ['product_id'],
    cache: null,
  });
  expect(at.line).toBe(21);
  expect(byName('CustomerMetrics').materializedView).toBeNull();
});
