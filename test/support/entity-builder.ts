/**
 * Hand-built EntitySpec objects for tests: compact inputs, the same shapes the
 * spec loader produces (positions point at a fake file).
 */
import type {
  ActionSpec,
  EntitySpec,
  FieldSpec,
  IndexMethod,
  IndexSpec,
  MaterializedViewSpec,
  PartitionInterval,
  PartitioningSpec,
  SpecSet,
} from '../../src/spec/model';
import type { SourcePosition } from '../../src/diagnostics/diagnostic';
import { snakeCase } from '../../src/model/ident';
import { sql } from './sql';
import { DEFAULT_VERIFY } from '../../src/spec/verify-settings';

export const at: SourcePosition = { file: 'test.yaml', line: 1, column: 1 };

export function field(name: string, type: string, options: { notNull?: boolean; default?: string } = {}): FieldSpec {
  return { name, type, specType: type, notNull: options.notNull ?? false, default: options.default === undefined ? null : sql(options.default), at };
}

/** `index('idx', 'btree', ['a', 'b DESC'])`. */
export function index(name: string, method: IndexMethod, columns: string[], options: { unique?: boolean; pagesPerRange?: number } = {}): IndexSpec {
  return {
    name,
    method,
    columns: columns.map((c) => {
      const [column, direction] = c.split(/\s+/);
      return { column: column!, descending: direction?.toUpperCase() === 'DESC' };
    }),
    unique: options.unique ?? false,
    pagesPerRange: method === 'brin' ? (options.pagesPerRange ?? 128) : null,
    at,
  };
}

export function partitioning(column: string, interval: PartitionInterval, options: Partial<Omit<PartitioningSpec, 'column' | 'interval' | 'at' | 'strategy'>> = {}): PartitioningSpec {
  return {
    strategy: 'range',
    column,
    interval,
    start: options.start ?? '2024-01-01',
    premake: options.premake ?? 3,
    retention: options.retention === undefined ? null : options.retention,
    archiveSchema: options.archiveSchema ?? 'archive',
    defaultPartition: options.defaultPartition ?? true,
    at,
  };
}

export function materializedView(
  name: string,
  options: Partial<Omit<MaterializedViewSpec, 'name' | 'at' | 'columns' | 'filter'>> & { columns: { name: string; expression: string }[]; uniqueKey: string[]; filter?: string | null },
): MaterializedViewSpec {
  return {
    name,
    refreshStrategy: options.refreshStrategy ?? 'concurrent',
    refreshInterval: options.refreshInterval ?? '1 hour',
    refreshSeconds: options.refreshSeconds ?? 3600,
    columns: options.columns.map((c) => ({ name: c.name, expression: sql(c.expression) })),
    filter: options.filter == null ? null : sql(options.filter),
    uniqueKey: options.uniqueKey,
    at,
  };
}

export interface EntityInput {
  entity: string;
  schema?: string;
  table?: string;
  fields: FieldSpec[];
  primaryKey: string[];
  indexes?: IndexSpec[];
  partitioning?: PartitioningSpec | null;
  materializedView?: MaterializedViewSpec | null;
  actions?: ActionSpec[];
}

export function entity(input: EntityInput): EntitySpec {
  return {
    entity: input.entity,
    schema: input.schema ?? 'analytics',
    table: input.table ?? snakeCase(input.entity),
    description: null,
    fields: input.fields,
    primaryKey: input.primaryKey,
    indexes: input.indexes ?? [],
    partitioning: input.partitioning ?? null,
    actions: input.actions ?? [],
    materializedView: input.materializedView ?? null,
    verify: DEFAULT_VERIFY,
    at,
  };
}

export const specSet = (...entities: EntitySpec[]): SpecSet => ({ entities });

/** A partitioned event table like the example's SalesTransaction, without actions. */
export function salesLike(overrides: Partial<EntityInput> = {}): EntitySpec {
  return entity({
    entity: 'SalesTransaction',
    fields: [
      field('transaction_id', 'uuid'),
      field('customer_id', 'uuid'),
      field('region', 'text'),
      field('total_amount', 'numeric(10,2)'),
      field('transaction_date', 'timestamp with time zone'),
    ],
    primaryKey: ['transaction_id', 'transaction_date'],
    indexes: [
      index('idx_sales_transaction_date', 'brin', ['transaction_date']),
      index('idx_sales_customer', 'btree', ['customer_id']),
      index('idx_sales_region_date', 'gist', ['region', 'transaction_date']),
    ],
    partitioning: partitioning('transaction_date', 'monthly', { premake: 3, retention: 36, archiveSchema: 'analytics_archive' }),
    ...overrides,
  });
}

/** specs/ rebuilt by hand (without actions), for tests that must not depend on the loader. */
export function exampleSpecs(): SpecSet {
  const sales = entity({
    entity: 'SalesTransaction',
    fields: [
      field('transaction_id', 'uuid'),
      field('customer_id', 'uuid'),
      field('product_id', 'uuid'),
      field('quantity', 'integer'),
      field('unit_price', 'numeric(10,2)'),
      field('total_amount', 'numeric(10,2)'),
      field('transaction_date', 'timestamp with time zone'),
      field('payment_method', 'text'),
      field('region', 'text'),
      field('category', 'text'),
    ],
    primaryKey: ['transaction_id', 'transaction_date'],
    indexes: [
      index('idx_sales_transaction_date', 'brin', ['transaction_date']),
      index('idx_sales_customer_product', 'btree', ['customer_id', 'product_id']),
      index('idx_sales_region_category_date', 'gist', ['region', 'category', 'transaction_date']),
    ],
    partitioning: partitioning('transaction_date', 'monthly', {
      start: '2024-01-01',
      premake: 3,
      retention: 36,
      archiveSchema: 'analytics_archive',
    }),
  });
  const productFields = [
    field('product_id', 'uuid'),
    field('total_sales', 'numeric(12,2)'),
    field('total_quantity', 'integer'),
    field('first_sale_date', 'timestamp with time zone'),
    field('last_sale_date', 'timestamp with time zone'),
    field('avg_sale_price', 'numeric(10,2)'),
    field('sales_velocity', 'numeric(5,2)'),
  ];
  const derived: Record<string, string> = {
    avg_sale_price: 'ROUND(total_sales / NULLIF(total_quantity, 0), 2)',
    sales_velocity: 'ROUND(total_quantity / GREATEST(EXTRACT(EPOCH FROM last_sale_date - first_sale_date) / 86400, 1), 2)',
  };
  const products = entity({
    entity: 'ProductMetrics',
    fields: productFields,
    primaryKey: ['product_id'],
    indexes: [
      index('idx_product_metrics_sales', 'btree', ['total_sales DESC']),
      index('idx_product_metrics_velocity', 'btree', ['sales_velocity DESC']),
    ],
    materializedView: materializedView('product_performance_mv', {
      columns: productFields.map((f) => ({ name: f.name, expression: derived[f.name] ?? f.name })),
      uniqueKey: ['product_id'],
    }),
  });
  const customers = entity({
    entity: 'CustomerMetrics',
    fields: [
      field('customer_id', 'uuid'),
      field('total_spent', 'numeric(12,2)'),
      field('total_orders', 'integer'),
      field('avg_order_value', 'numeric(10,2)'),
      field('last_order_date', 'timestamp with time zone'),
      field('customer_segment', 'text'),
    ],
    primaryKey: ['customer_id'],
    indexes: [
      index('idx_customer_metrics_segment', 'btree', ['customer_segment']),
      index('idx_customer_metrics_value', 'btree', ['avg_order_value DESC']),
    ],
  });
  const categories = entity({
    entity: 'CategoryMetrics',
    fields: [field('category', 'text'), field('total_sales', 'numeric(14,2)'), field('total_transactions', 'bigint')],
    primaryKey: ['category'],
  });
  return specSet(sales, products, customers, categories);
}

/** Forms specs/ does not use: daily/weekly/yearly, no DEFAULT, GIN (array and scalar), HASH, unique, blocking refresh. */
export function variantSpecs(): SpecSet {
  const events = entity({
    entity: 'DeviceEvent',
    schema: 'iot',
    fields: [
      field('event_id', 'bigint'),
      field('device', 'text'),
      field('tags', 'text[]'),
      field('payload', 'jsonb'),
      field('at', 'timestamp with time zone', { notNull: true }),
    ],
    primaryKey: ['event_id', 'at'],
    indexes: [
      index('idx_event_device_hash', 'hash', ['device']),
      index('idx_event_tags', 'gin', ['tags']),
      index('idx_event_device_gin', 'gin', ['device']),
      index('idx_event_unique', 'btree', ['device', 'at DESC'], { unique: true }),
    ],
    partitioning: partitioning('at', 'daily', { start: '2024-03-01', premake: 2, retention: 7, defaultPartition: false, archiveSchema: 'iot_archive' }),
  });
  const weekly = entity({
    entity: 'WeeklyRollup',
    schema: 'iot',
    fields: [field('week_id', 'integer'), field('starts', 'timestamp with time zone')],
    primaryKey: ['week_id', 'starts'],
    partitioning: partitioning('starts', 'weekly', { start: '2024-01-01', premake: 1 }),
  });
  const yearly = entity({
    entity: 'YearlyLedger',
    schema: 'iot',
    fields: [field('entry_id', 'uuid'), field('booked', 'timestamp with time zone')],
    primaryKey: ['entry_id', 'booked'],
    partitioning: partitioning('booked', 'yearly', { start: '2020-01-01', premake: 1, retention: 2 }),
    materializedView: materializedView('ledger_mv', {
      refreshStrategy: 'blocking',
      refreshInterval: '15 minutes',
      refreshSeconds: 900,
      columns: [{ name: 'entry_id', expression: 'entry_id' }, { name: 'booked_day', expression: "date_trunc('day', booked AT TIME ZONE 'UTC')" }],
      filter: "booked >= '2020-01-01T00:00:00Z'",
      uniqueKey: ['entry_id'],
    }),
  });
  return specSet(events, weekly, yearly);
}

