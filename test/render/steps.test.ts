/** Step metadata of the renderers: SQL text, action, locks per relation, transactionality,
 *  timeouts and hazards. (test/render/locks.test.ts proves the locks on a real server.) */
import { buildDesired } from '../../src/desired/build';
import { sql } from '../support/sql';
import type { DbObject, IndexObject, PartitionObject, TableObject } from '../../src/model/objects';
import { INDEX_BUILD_STATEMENT_TIMEOUT_MS, type PlanStep } from '../../src/model/step';
import { contextFrom } from '../../src/render/context';
import { scheduleCronJob } from '../../src/render/cron-jobs';
import { createFunction } from '../../src/render/functions';
import { createIndex, dropIndex } from '../../src/render/indexes';
import { carvePartitionFromDefault, createPartition, dropPartition } from '../../src/render/partitions';
import { createTable, dropTable } from '../../src/render/tables';
import { exampleSpecs } from '../support/entity-builder';

const desired = buildDesired(exampleSpecs(), { today: '2024-03-15', pgCron: true });
const context = contextFrom(desired.objects);
const find = <T extends DbObject>(predicate: (o: DbObject) => boolean): T => desired.objects.find(predicate)! as T;
const sales = find<TableObject>((o) => o.kind === 'table' && o.name === 'sales_transaction');
const partitions = context.partitionsOf(sales);
const names = (locks: readonly { relation: { schema: string; name: string }; mode: string }[]): string[] =>
  locks.map((l) => `${l.relation.schema}.${l.relation.name}:${l.mode}`);

test('an index on a partitioned table: ON ONLY, then CONCURRENTLY per partition, then ATTACH per partition', () => {
  const brin = find<IndexObject>((o) => o.kind === 'index' && o.name === 'idx_sales_transaction_date');
  const steps = createIndex(context, brin);
  const n = partitions.length;
  expect(steps).toHaveLength(1 + 2 * n);
  expect(steps[0]).toMatchObject({ action: 'create', lock: 'SHARE', transactional: true });
  expect(names(steps[0]!.locks)).toEqual(['analytics.sales_transaction:SHARE']);
  expect(steps[0]!.sql).toContain('ON ONLY analytics.sales_transaction');
  steps.slice(1, 1 + n).forEach((build, i) => {
    expect(build.sql).toMatch(/^CREATE INDEX CONCURRENTLY /);
    expect(build).toMatchObject({ action: 'build', transactional: false, statementTimeoutMs: INDEX_BUILD_STATEMENT_TIMEOUT_MS, lock: 'SHARE UPDATE EXCLUSIVE' });
    expect(build.partition).toEqual({ schema: 'analytics', name: partitions[i]!.name });
    expect(build.indexBuild).toEqual({ index: { schema: 'analytics', name: `${partitions[i]!.name}_idx_sales_transaction_date` }, mode: 'create' });
    expect(build.sql).toContain('WITH (pages_per_range = 128)');
  });
  expect(steps[n]!.sql).toContain('ON analytics.sales_transaction_default');
  steps.slice(1 + n).forEach((attach, i) => {
    expect(attach.sql).toMatch(/^ALTER INDEX analytics\.idx_sales_transaction_date ATTACH PARTITION /);
    // ACCESS EXCLUSIVE on the child index (writes to its partition wait), SHARE UPDATE EXCLUSIVE on the parent index.
    expect(names(attach.locks)).toEqual([`analytics.${partitions[i]!.name}_idx_sales_transaction_date:ACCESS EXCLUSIVE`, 'analytics.idx_sales_transaction_date:SHARE UPDATE EXCLUSIVE']);
    expect(attach).toMatchObject({ action: 'attach', lock: 'ACCESS EXCLUSIVE' });
  });
  expect(new Set(steps.map((s) => s.object))).toEqual(new Set(['index:analytics.idx_sales_transaction_date']));
});

test('an index on a plain table is one CONCURRENTLY step; DESC kept', () => {
  const steps = createIndex(context, find((o) => o.kind === 'index' && o.name === 'idx_product_metrics_sales'));
  expect(steps).toHaveLength(1);
  expect(steps[0]).toMatchObject({ action: 'build', transactional: false, lock: 'SHARE UPDATE EXCLUSIVE', indexBuild: { mode: 'create' } });
  expect(steps[0]!.sql).toBe('CREATE INDEX CONCURRENTLY idx_product_metrics_sales\n    ON analytics.product_metrics\n    USING btree (total_sales DESC);');
});

test('drops: tables and partitions delete data unless known empty; indexes drop concurrently where PostgreSQL allows it', () => {
  const table = dropTable(context, sales, null, 'test');
  expect(table).toMatchObject({ sql: 'DROP TABLE analytics.sales_transaction;', action: 'drop', lock: 'ACCESS EXCLUSIVE' });
  expect(table.locks).toHaveLength(1 + partitions.length);
  expect(table.hazards.map((h) => h.code)).toEqual(['deletes_data']);
  expect(dropTable(context, sales, false, 'test').hazards.map((h) => h.code)).toEqual(['access_exclusive_lock']);
  const jan = partitions[0]!;
  expect(names(dropPartition(context, jan, true, 'test').locks)).toEqual([
    'analytics.sales_transaction:ACCESS EXCLUSIVE', `analytics.${jan.name}:ACCESS EXCLUSIVE`, 'analytics.sales_transaction_default:ACCESS EXCLUSIVE',
  ]);
  expect(dropPartition(context, jan, true, 'test').hazards.map((h) => h.code)).toContain('deletes_data');
  const plainIndex = dropIndex(context, find((o) => o.kind === 'index' && o.name === 'idx_product_metrics_sales'), 'test');
  expect(plainIndex).toMatchObject({ sql: 'DROP INDEX CONCURRENTLY IF EXISTS analytics.idx_product_metrics_sales;', transactional: false });
  // DROP INDEX CONCURRENTLY is not supported on partitioned indexes.
  const partitionedIndex = dropIndex(context, find((o) => o.kind === 'index' && o.name === 'idx_sales_transaction_date'), 'test');
  expect(partitionedIndex).toMatchObject({ sql: 'DROP INDEX IF EXISTS analytics.idx_sales_transaction_date;', transactional: true, lock: 'ACCESS EXCLUSIVE' });
  expect(partitionedIndex.locks).toHaveLength(1 + partitions.length);
});

test('partitions: explicit +00 bounds; PARTITION OF locks the parent and DEFAULT; carving out of DEFAULT is one group', () => {
  const jan = partitions[0]!;
  const [create] = createPartition(context, jan, { parentIsNew: false }) as [PlanStep];
  expect(create.sql).toBe(
    "CREATE TABLE analytics.sales_transaction_p2024_01\n    PARTITION OF analytics.sales_transaction\n    FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 00:00:00+00');",
  );
  expect(names(create.locks)).toEqual(['analytics.sales_transaction:ACCESS EXCLUSIVE', 'analytics.sales_transaction_default:ACCESS EXCLUSIVE']);
  expect(create.hazards.map((h) => h.code)).toEqual(['access_exclusive_lock', 'may_fail_on_existing_data']);
  expect(createPartition(context, jan, { parentIsNew: true })[0]!.hazards).toEqual([]);
  const def = partitions.find((p) => p.bound.kind === 'default')!;
  expect(createPartition(context, def, { parentIsNew: true })[0]!.sql).toMatch(/PARTITION OF analytics\.sales_transaction\n {4}DEFAULT;$/);
  const carve = carvePartitionFromDefault(context, jan as PartitionObject & { bound: { from: string; to: string } }, sales, def);
  expect(carve.map((s) => s.action)).toEqual(['lock', 'lock', 'create', 'move_rows', 'attach']);
  expect(new Set(carve.map((s) => s.group))).toEqual(new Set(['partition:analytics.sales_transaction_p2024_01:create']));
  expect(carve[2]!.sql).toContain('INCLUDING DEFAULTS');
  expect(names(carve[4]!.locks)).toEqual(['analytics.sales_transaction:SHARE UPDATE EXCLUSIVE', 'analytics.sales_transaction_default:ACCESS EXCLUSIVE']);
  // With partitioned indexes on the parent, a new partition gets them by name before the ATTACH adopts them.
  const indexes = desired.objects.filter((o): o is IndexObject => o.kind === 'index' && o.partitioned);
  const withIndexes = createPartition(context, jan, { parentIsNew: false, indexes });
  expect(withIndexes.map((s) => s.action)).toEqual(['create', ...indexes.map(() => 'create'), 'attach']);
  expect(withIndexes[1]!.sql).toContain(`CREATE INDEX sales_transaction_p2024_01_${indexes[0]!.name}`);
  const carveIndexed = carvePartitionFromDefault(context, jan as PartitionObject & { bound: { from: string; to: string } }, sales, def, indexes);
  expect(carveIndexed.map((s) => s.action)).toEqual(['lock', 'lock', 'create', 'move_rows', ...indexes.map(() => 'create'), 'attach']);
});

test('functions are created then revoked from PUBLIC in one group; cron jobs schedule by name', () => {
  const refresh = createFunction(find((o) => o.kind === 'function' && o.name === 'refresh_product_performance_mv'));
  expect(refresh.map((s) => [s.sql.split('\n')[0], s.action])).toEqual([
    ['CREATE OR REPLACE FUNCTION analytics.refresh_product_performance_mv()', 'create'],
    ['REVOKE EXECUTE ON FUNCTION analytics.refresh_product_performance_mv() FROM PUBLIC;', 'revoke'],
  ]);
  expect(refresh[0]!.group).toBe(refresh[1]!.group);
  expect(refresh[0]!.sql).toContain('SET search_path = pg_catalog, pg_temp');
  const cron = scheduleCronJob(find((o) => o.kind === 'cron_job'), false);
  expect(cron.sql).toBe(
    "SELECT cron.schedule('specql_refresh_analytics_product_performance_mv', '0 * * * *', 'SELECT analytics.refresh_product_performance_mv();');",
  );
});

test('a plain table: columns one per line, identity form, quoted reserved words', () => {
  const step = createTable({
    kind: 'table',
    schema: 's',
    name: 'queue',
    columns: [
      { name: 'id', type: 'bigint', notNull: true, default: null, identity: true },
      { name: 'order', type: 'text', notNull: false, default: sql("'x'"), identity: false },
    ],
    constraints: [{ name: 'queue_pkey', kind: 'primary_key', columns: ['id'] }],
    partitionBy: null,
    entity: null,
    role: 'queue',
  });
  expect(step.sql).toBe('CREATE TABLE s.queue (\n    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,\n    "order" text DEFAULT \'x\',\n    CONSTRAINT queue_pkey PRIMARY KEY (id)\n);');
  expect(step).toMatchObject({ action: 'create', lock: 'none', locks: [] });
});

test('a step description is one line (it becomes a comment line in scripts)', () => {
  expect(() => dropTable(context, sales, null, 'two\nlines')).toThrow(/one line/);
});
