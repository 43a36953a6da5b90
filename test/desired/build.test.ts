import { buildDesired } from '../../src/desired/build';
import type { DbObject, IndexObject, PartitionObject, TableObject } from '../../src/model/objects';
import { loadSpecs } from '../../src/spec/load';
import type { SpecSet } from '../../src/spec/model';
import { entity, field, index, partitioning, salesLike, specSet, variantSpecs } from '../support/entity-builder';

let specs: SpecSet;
beforeAll(async () => {
  const loaded = await loadSpecs(['specs']);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  specs = loaded.specs;
});

const kinds = (objects: readonly DbObject[]): string[] => objects.map((o) => o.kind);

test('objects come in creation order: schemas, extensions, tables with partitions and indexes, actions, views, maintenance', () => {
  const desired = buildDesired(specs, { today: '2024-03-15' });
  const order = kinds(desired.objects);
  const first = (kind: string): number => order.indexOf(kind);
  const last = (kind: string): number => order.lastIndexOf(kind);
  expect(order.slice(0, 4)).toEqual(['schema', 'schema', 'schema', 'extension']);
  // specql: the worker's run log (specql.run_log), shared by every schema.
  expect(desired.objects.slice(0, 4)).toMatchObject([{ name: 'analytics' }, { name: 'analytics_archive' }, { name: 'specql' }, { name: 'btree_gist' }]);
  // Every entity table precedes the actions' objects (their functions use other entities' tables).
  const entityTables = desired.objects.filter((o): o is TableObject => o.kind === 'table' && o.role === 'entity');
  expect(entityTables.map((t) => t.name).sort()).toEqual(['category_metrics', 'customer_metrics', 'product_metrics', 'sales_transaction']);
  const lastEntityTable = Math.max(...entityTables.map((t) => desired.objects.indexOf(t)));
  expect(first('trigger')).toBeGreaterThan(lastEntityTable);
  expect(first('materialized_view')).toBeGreaterThan(last('trigger'));
  const maintain = desired.objects.findIndex((o) => o.kind === 'function' && o.name.endsWith('_maintain_partitions'));
  expect(maintain).toBeGreaterThan(first('materialized_view'));
  expect(order).not.toContain('cron_job');
});

test('the partitioned table: PK includes the partition key, partitions Jan..Jun 2024 + DEFAULT, indexes partitioned', () => {
  const desired = buildDesired(specs, { today: '2024-03-15' });
  const table = desired.objects.find((o): o is TableObject => o.kind === 'table' && o.name === 'sales_transaction')!;
  expect(table.partitionBy).toEqual({ strategy: 'range', column: 'transaction_date' });
  expect(table.constraints).toEqual([
    { name: 'sales_transaction_pkey', kind: 'primary_key', columns: ['transaction_id', 'transaction_date'] },
  ]);
  expect(table.columns.find((c) => c.name === 'transaction_date')).toMatchObject({ type: 'timestamp with time zone', notNull: true });
  const partitions = desired.objects.filter((o): o is PartitionObject => o.kind === 'partition');
  expect(partitions[0]).toEqual({
    kind: 'partition',
    schema: 'analytics',
    name: 'sales_transaction_p2024_01',
    parent: { schema: 'analytics', name: 'sales_transaction' },
    bound: { kind: 'range', from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z' },
  });
  expect(partitions.map((p) => p.name)).toHaveLength(7);
  expect(partitions[6]!.bound).toEqual({ kind: 'default' });
  const brin = desired.objects.find((o): o is IndexObject => o.kind === 'index' && o.name === 'idx_sales_transaction_date')!;
  expect(brin).toMatchObject({ method: 'brin', with: { pages_per_range: '128' }, partitioned: true });
  const desc = desired.objects.find((o): o is IndexObject => o.kind === 'index' && o.name === 'idx_product_metrics_sales')!;
  expect(desc).toMatchObject({ partitioned: false, columns: [{ column: 'total_sales', descending: true, opclass: null }], with: {} });
});

test('entity outputs: names, partition window, queue, refresh and maintenance schedules (the worker without pg_cron)', () => {
  const desired = buildDesired(specs, { today: '2024-03-15' });
  const sales = desired.entities.find((e) => e.entity === 'SalesTransaction')!;
  expect(sales).toMatchObject({
    schema: 'analytics',
    table: 'sales_transaction',
    defaultPartition: 'sales_transaction_default',
    indexes: ['idx_sales_transaction_date', 'idx_sales_customer_product', 'idx_sales_region_category_date'],
    partitionWindow: {
      interval: 'monthly',
      from: '2024-01-01T00:00:00Z',
      to: '2024-07-01T00:00:00Z',
      premake: 3,
      retention: 36,
      retentionCutoff: '2021-03-01T00:00:00Z',
      archiveSchema: 'analytics_archive',
    },
    queueSchedules: [
      {
        queue: 'update_performance_metrics_queue',
        processor: 'analytics.update_performance_metrics_process',
        batchSize: 10000,
        channel: 'specql_queue',
        runner: 'worker',
        jobName: 'specql_drain_analytics_update_performance_metrics_queue',
        schedule: 'on NOTIFY specql_queue, polling as a fallback',
        command: 'DO $specql$ BEGIN LOOP EXIT WHEN analytics.update_performance_metrics_process(10000) = 0; COMMIT; END LOOP; END $specql$;',
      },
    ],
    materializedViews: [],
    refreshSchedules: [],
    maintenanceSchedule: {
      function: 'analytics.sales_transaction_maintain_partitions',
      cron: '5 0 * * *',
      runner: 'worker',
      jobName: 'specql_maintain_analytics_sales_transaction',
      command: 'SELECT analytics.sales_transaction_maintain_partitions();',
    },
  });
  expect(sales.partitions).toEqual(['01', '02', '03', '04', '05', '06'].map((m) => `sales_transaction_p2024_${m}`));
  expect(sales.functions).toContain('sales_transaction_maintain_partitions');
  const products = desired.entities.find((e) => e.entity === 'ProductMetrics')!;
  expect(products.materializedViews).toEqual(['product_performance_mv']);
  expect(products.functions).toContain('refresh_product_performance_mv');
  expect(products.partitionWindow).toBeNull();
  expect(products.maintenanceSchedule).toBeNull();
  expect(products.refreshSchedules).toEqual([
    {
      view: 'product_performance_mv',
      interval: '1 hour',
      cron: '0 * * * *',
      strategy: 'concurrent',
      runner: 'worker',
      jobName: 'specql_refresh_analytics_product_performance_mv',
      command: 'SELECT analytics.refresh_product_performance_mv();',
    },
  ]);
  // pg_cron 1.5+ drains every 30 seconds.
  const seconds = buildDesired(specs, { today: '2024-03-15', pgCron: true, pgCronSeconds: true });
  expect(seconds.entities.find((e) => e.entity === 'SalesTransaction')!.queueSchedules[0]).toMatchObject({ runner: 'pg_cron', schedule: '30 seconds' });
  expect(seconds.objects.find((o) => o.kind === 'cron_job' && o.name.startsWith('specql_drain_'))).toMatchObject({ schedule: '30 seconds' });
  // Plain JSON: survives a round trip unchanged (no undefined, Date or BigInt).
  expect(JSON.parse(JSON.stringify(desired.entities))).toEqual(desired.entities);
});

test('with pg_cron the jobs (view refresh, daily partition maintenance) are part of the desired state and the runners say so; overrides apply', () => {
  const desired = buildDesired(specs, {
    today: '2024-03-15',
    pgCron: true,
    premake: 1,
    retention: null,
    refreshOverrides: { product_performance_mv: '15 minutes' },
  });
  const jobs = desired.objects.filter((o) => o.kind === 'cron_job');
  expect(jobs).toEqual([
    {
      kind: 'cron_job',
      name: 'specql_drain_analytics_update_performance_metrics_queue',
      // pg_cron before 1.5: every minute (pgCronSeconds is not set).
      schedule: '* * * * *',
      command: 'DO $specql$ BEGIN LOOP EXIT WHEN analytics.update_performance_metrics_process(10000) = 0; COMMIT; END LOOP; END $specql$;',
    },
    {
      kind: 'cron_job',
      name: 'specql_refresh_analytics_product_performance_mv',
      schedule: '*/15 * * * *',
      command: 'SELECT analytics.refresh_product_performance_mv();',
    },
    {
      kind: 'cron_job',
      name: 'specql_maintain_analytics_sales_transaction',
      schedule: '5 0 * * *',
      command: 'SELECT analytics.sales_transaction_maintain_partitions();',
    },
  ]);
  // Last: they call functions created before them.
  expect(desired.objects.slice(-3)).toEqual(jobs);
  const products = desired.entities.find((e) => e.entity === 'ProductMetrics')!;
  expect(products.refreshSchedules[0]).toMatchObject({ runner: 'pg_cron', interval: '15 minutes', cron: '*/15 * * * *' });
  const sales = desired.entities.find((e) => e.entity === 'SalesTransaction')!;
  expect(sales.maintenanceSchedule).toEqual({
    function: 'analytics.sales_transaction_maintain_partitions',
    cron: '5 0 * * *',
    runner: 'pg_cron',
    jobName: 'specql_maintain_analytics_sales_transaction',
    command: 'SELECT analytics.sales_transaction_maintain_partitions();',
  });
  expect(sales.partitionWindow).toMatchObject({ from: '2024-01-01T00:00:00Z', to: '2024-05-01T00:00:00Z', premake: 1, retention: null });
  // No retention: nothing is ever archived, so no archive schema (specql holds the worker's run log).
  expect(desired.objects.filter((o) => o.kind === 'schema').map((o) => (o as { name: string }).name)).toEqual(['analytics', 'specql']);
});

test('an override with no exact cron form is refused with the view named', () => {
  expect(() => buildDesired(specs, { today: '2024-03-15', refreshOverrides: { product_performance_mv: '7 hours' } })).toThrow(
    /(product_performance_mv has no exact cron form|override "7 hours" for product_performance_mv)/,
  );
});

test('the same inputs give identical output; today is the only clock', () => {
  const a = JSON.stringify(buildDesired(specs, { today: '2024-03-15' }));
  const b = JSON.stringify(buildDesired(specs, { today: '2024-03-15' }));
  expect(a).toBe(b);
  expect(JSON.stringify(buildDesired(specs, { today: '2024-04-01' }))).not.toBe(a);
});

test('extensions name their reason; GIN on arrays needs none, GIN on text needs btree_gin', () => {
  const desired = buildDesired(variantSpecs(), { today: '2024-03-15' });
  expect(desired.objects.filter((o) => o.kind === 'extension')).toEqual([
    { kind: 'extension', name: 'btree_gin', schema: 'iot', reason: 'GIN on text columns (iot.idx_event_device_gin)' },
  ]);
});

test('a unique index on a partitioned table without the partition key is refused', () => {
  const bad = salesLike({ indexes: [index('idx_unique_customer', 'btree', ['customer_id'], { unique: true })] });
  expect(() => buildDesired(specSet(bad), { today: '2024-03-15' })).toThrow(/must include the partition key transaction_date/);
});

test('a plain table gets neither partitions nor maintenance function', () => {
  const plain = entity({ entity: 'Plain', fields: [field('id', 'integer')], primaryKey: ['id'] });
  const desired = buildDesired(specSet(plain), { today: '2024-03-15' });
  expect(kinds(desired.objects)).toEqual(['schema', 'table']);
  expect(desired.entities[0]).toMatchObject({ partitions: [], defaultPartition: null, partitionWindow: null, functions: [], maintenanceSchedule: null });
  expect(kinds(buildDesired(specSet(plain), { today: '2024-03-15', pgCron: true }).objects)).toEqual(['schema', 'table']);
  const daily = salesLike({ partitioning: partitioning('transaction_date', 'daily', { start: '2024-03-14', premake: 0 }) });
  expect(buildDesired(specSet(daily), { today: '2024-03-15' }).entities[0]!.partitions).toEqual([
    'sales_transaction_p2024_03_14',
    'sales_transaction_p2024_03_15',
  ]);
});
