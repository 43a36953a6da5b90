/** Step metadata: locks, transactionality, timeouts and hazards of the create and drop forms. */
import { sql } from '../support/sql';
import { buildDesired } from '../../src/desired/build';
import type { DbObject } from '../../src/model/objects';
import { INDEX_BUILD_STATEMENT_TIMEOUT_MS } from '../../src/model/step';
import { contextFrom, createSteps, dropSteps } from '../../src/render/by-kind';
import { salesLike, specSet, exampleSpecs } from '../support/entity-builder';

const desired = buildDesired(exampleSpecs(), { today: '2024-03-15', pgCron: true });
const context = contextFrom(desired.objects);
const find = (predicate: (o: DbObject) => boolean): DbObject => desired.objects.find(predicate)!;

test('an index on a partitioned table: ON ONLY, then CONCURRENTLY per partition, then ATTACH per partition', () => {
  const brin = find((o) => o.kind === 'index' && o.name === 'idx_sales_transaction_date');
  const steps = createSteps(brin, context);
  expect(steps).toHaveLength(1 + 7 + 7);
  expect(steps[0]).toMatchObject({ lock: 'SHARE', transactional: true });
  expect(steps[0]!.sql).toContain('ON ONLY analytics.sales_transaction');
  for (const build of steps.slice(1, 8)) {
    expect(build.sql).toMatch(/^CREATE INDEX CONCURRENTLY /);
    expect(build).toMatchObject({ transactional: false, statementTimeoutMs: INDEX_BUILD_STATEMENT_TIMEOUT_MS, lock: 'SHARE UPDATE EXCLUSIVE' });
    expect(build.sql).toContain('WITH (pages_per_range = 128)');
  }
  expect(steps[7]!.sql).toContain('ON analytics.sales_transaction_default');
  for (const attach of steps.slice(8)) expect(attach.sql).toMatch(/^ALTER INDEX analytics\.idx_sales_transaction_date ATTACH PARTITION /);
  expect(new Set(steps.map((s) => s.object))).toEqual(new Set(['index:analytics.idx_sales_transaction_date']));
});

test('an index on a plain table is one CONCURRENTLY step; DESC kept', () => {
  const steps = createSteps(find((o) => o.kind === 'index' && o.name === 'idx_product_metrics_sales'), context);
  expect(steps).toHaveLength(1);
  expect(steps[0]).toMatchObject({ transactional: false, lock: 'SHARE UPDATE EXCLUSIVE' });
  expect(steps[0]!.sql).toBe('CREATE INDEX CONCURRENTLY idx_product_metrics_sales\n    ON analytics.product_metrics\n    USING btree (total_sales DESC);');
});

test('drops: tables and partitions delete data; indexes drop concurrently where PostgreSQL allows it', () => {
  const table = dropSteps(find((o) => o.kind === 'table' && o.name === 'sales_transaction'));
  expect(table[0]).toMatchObject({ sql: 'DROP TABLE analytics.sales_transaction;', lock: 'ACCESS EXCLUSIVE' });
  expect(table[0]!.hazards.map((h) => h.code)).toEqual(['deletes_data']);
  const partition = dropSteps(find((o) => o.kind === 'partition'));
  expect(partition[0]!.hazards.map((h) => h.code)).toContain('deletes_data');
  const plainIndex = dropSteps(find((o) => o.kind === 'index' && o.name === 'idx_product_metrics_sales'));
  expect(plainIndex[0]).toMatchObject({ sql: 'DROP INDEX CONCURRENTLY analytics.idx_product_metrics_sales;', transactional: false });
  // DROP INDEX CONCURRENTLY is not supported on partitioned indexes.
  const partitionedIndex = dropSteps(find((o) => o.kind === 'index' && o.name === 'idx_sales_transaction_date'));
  expect(partitionedIndex[0]).toMatchObject({ sql: 'DROP INDEX analytics.idx_sales_transaction_date;', transactional: true, lock: 'ACCESS EXCLUSIVE' });
  expect(dropSteps(find((o) => o.kind === 'schema'))[0]!.sql).toBe('DROP SCHEMA analytics;');
});

test('partitions: explicit +00 bounds, ACCESS EXCLUSIVE on the parent; DEFAULT form', () => {
  const [jan] = createSteps(find((o) => o.kind === 'partition'), context);
  expect(jan!.sql).toBe(
    "CREATE TABLE analytics.sales_transaction_p2024_01\n    PARTITION OF analytics.sales_transaction\n    FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 00:00:00+00');",
  );
  expect(jan!.lock).toBe('ACCESS EXCLUSIVE');
  const [def] = createSteps(find((o) => o.kind === 'partition' && o.bound.kind === 'default'), context);
  expect(def!.sql).toMatch(/PARTITION OF analytics\.sales_transaction\n {4}DEFAULT;$/);
});

test('functions are created then revoked from PUBLIC; cron jobs schedule by name', () => {
  const refresh = createSteps(find((o) => o.kind === 'function' && o.name === 'refresh_product_performance_mv'), context);
  expect(refresh.map((s) => s.sql.split('\n')[0])).toEqual([
    'CREATE OR REPLACE FUNCTION analytics.refresh_product_performance_mv()',
    'REVOKE EXECUTE ON FUNCTION analytics.refresh_product_performance_mv() FROM PUBLIC;',
  ]);
  expect(refresh[0]!.sql).toContain('SET search_path = pg_catalog, pg_temp');
  const [cron] = createSteps(find((o) => o.kind === 'cron_job'), context);
  expect(cron!.sql).toBe(
    "SELECT cron.schedule('specql_refresh_analytics_product_performance_mv', '0 * * * *', 'SELECT analytics.refresh_product_performance_mv();');",
  );
});

test('a plain table: columns one per line, identity form', () => {
  const steps = createSteps(
    {
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
    },
    context,
  );
  expect(steps[0]!.sql).toBe(
    'CREATE TABLE s.queue (\n    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,\n    "order" text DEFAULT \'x\',\n    CONSTRAINT queue_pkey PRIMARY KEY (id)\n);',
  );
  expect(specSet(salesLike()).entities).toHaveLength(1);
});
