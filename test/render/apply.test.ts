/**
 * The full script for specs/ (today 2024-03-15) applied to a fresh database,
 * statement by statement, then checked against the catalog and with real rows.
 */
import { Client } from 'pg';
import { buildDesired } from '../../src/desired/build';
import type { DesiredState } from '../../src/model/objects';
import { createTestDatabase, parentIndexes, query, type TestDatabase } from '../support/db';
import { runFreshScript } from '../../src/engine/fresh';
import { loadSpecs } from '../../src/spec/load';
import { variantSpecs } from '../support/entity-builder';

let db: TestDatabase;
let desired: DesiredState;

beforeAll(async () => {
  db = await createTestDatabase('apply');
  const { specs, diagnostics } = await loadSpecs(['specs']);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  desired = buildDesired(specs, { today: '2024-03-15' });
  await runFreshScript(db.pool, desired);
});
afterAll(async () => {
  await db?.drop();
});

test('partitions exist with the window bounds (Jan..Jun 2024 for today 2024-03-15, premake 3) plus DEFAULT', async () => {
  const client = await db.pool.connect();
  try {
    // Bounds print in the session time zone; UTC makes them comparable with the model's.
    await client.query(`SET TIME ZONE 'UTC'`);
    const { rows: bounds } = await client.query<{ name: string; bound: string }>(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'analytics.sales_transaction'::regclass ORDER BY c.relname`,
    );
    const months = ['01', '02', '03', '04', '05', '06', '07'];
    expect(bounds).toEqual([
      { name: 'sales_transaction_default', bound: 'DEFAULT' },
      ...months.slice(0, 6).map((m, i) => ({
        name: `sales_transaction_p2024_${m}`,
        bound: `FOR VALUES FROM ('2024-${m}-01 00:00:00+00') TO ('2024-${months[i + 1]}-01 00:00:00+00')`,
      })),
    ]);
  } finally {
    client.release();
  }
});

test('every parent index is valid and attached on every partition (DEFAULT included)', async () => {
  const parents = await parentIndexes(db.pool, 'analytics.sales_transaction');
  expect(parents.map((p) => p.name)).toEqual([
    'idx_sales_customer_product',
    'idx_sales_region_category_date',
    'idx_sales_transaction_date',
    'sales_transaction_pkey',
  ]);
  for (const parent of parents) {
    expect(parent).toMatchObject({ valid: true, children: 7 });
  }
  const invalid = await query(db.pool, `SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid`);
  expect(invalid).toEqual([]);
  const methods = await query<{ name: string; method: string; def: string }>(
    db.pool,
    `SELECT c.relname AS name, am.amname AS method, pg_get_indexdef(c.oid) AS def
     FROM pg_class c JOIN pg_am am ON am.oid = c.relam
     WHERE c.relname IN ('idx_sales_transaction_date', 'idx_sales_region_category_date', 'idx_product_metrics_sales') ORDER BY 1`,
  );
  expect(methods.map((m) => [m.name, m.method])).toEqual([
    ['idx_product_metrics_sales', 'btree'],
    ['idx_sales_region_category_date', 'gist'],
    ['idx_sales_transaction_date', 'brin'],
  ]);
  expect(methods[0]!.def).toContain('(total_sales DESC)');
  expect(methods[2]!.def).toContain('WITH (pages_per_range=\'128\')');
});

test('a row at 2024-01-31T23:30:00-08:00 lands in February; a row outside the window in DEFAULT', async () => {
  await db.pool.query(
    `INSERT INTO analytics.sales_transaction (transaction_id, transaction_date, region, total_amount)
     VALUES (gen_random_uuid(), '2024-01-31T23:30:00-08:00', 'us-west', 10),
            (gen_random_uuid(), '2031-05-05T00:00:00Z', 'us-west', 10)`,
  );
  const rows = await query<{ partition: string; transaction_date: Date }>(
    db.pool,
    `SELECT tableoid::regclass::text AS partition, transaction_date FROM analytics.sales_transaction ORDER BY transaction_date`,
  );
  expect(rows.map((r) => r.partition)).toEqual(['analytics.sales_transaction_p2024_02', 'analytics.sales_transaction_default']);
});

test('a one-month query scans exactly one partition', async () => {
  const [plan] = await query<{ 'QUERY PLAN': unknown }>(
    db.pool,
    `EXPLAIN (FORMAT JSON) SELECT count(*) FROM analytics.sales_transaction
     WHERE transaction_date >= '2024-02-01T00:00:00Z' AND transaction_date < '2024-03-01T00:00:00Z'`,
  );
  const scanned = new Set<string>();
  const walk = (node: Record<string, unknown>): void => {
    if (typeof node['Relation Name'] === 'string') scanned.add(node['Relation Name']);
    for (const child of (node['Plans'] as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk((plan!['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
  expect([...scanned]).toEqual(['sales_transaction_p2024_02']);
});

test('the materialized view exists WITH DATA and has its unique key index', async () => {
  await db.pool.query(
    `INSERT INTO analytics.product_metrics (product_id, total_sales, total_quantity, first_sale_date, last_sale_date)
     SELECT gen_random_uuid(), 100 + g, g, '2024-01-01T00:00:00Z', '2024-01-11T00:00:00Z' FROM generate_series(0, 49) g`,
  );
  const [mv] = await query<{ populated: boolean }>(
    db.pool,
    `SELECT ispopulated AS populated FROM pg_matviews WHERE schemaname = 'analytics' AND matviewname = 'product_performance_mv'`,
  );
  expect(mv).toEqual({ populated: true });
  const [key] = await query<{ unique: boolean; predicate: string | null; expressions: string | null }>(
    db.pool,
    `SELECT indisunique AS unique, indpred::text AS predicate, indexprs::text AS expressions FROM pg_index
     WHERE indexrelid = 'analytics.product_performance_mv_key'::regclass`,
  );
  expect(key).toEqual({ unique: true, predicate: null, expressions: null });
  await db.pool.query('SELECT analytics.refresh_product_performance_mv()');
  const [row] = await query<{ n: number; zero: number }>(
    db.pool,
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE total_quantity = 0 AND avg_sale_price IS NULL)::int AS zero
     FROM analytics.product_performance_mv`,
  );
  // total_quantity 0 divides by NULLIF(…) → NULL, never an error.
  expect(row).toEqual({ n: 50, zero: 1 });
});

test('REFRESH MATERIALIZED VIEW CONCURRENTLY runs while another connection keeps reading the view', async () => {
  const reader = new Client({ connectionString: db.url });
  const refresher = new Client({ connectionString: db.url });
  await Promise.all([reader.connect(), refresher.connect()]);
  let stop = false;
  const seen: number[] = [];
  const errors: unknown[] = [];
  const readLoop = (async () => {
    while (!stop) {
      try {
        const { rows } = await reader.query<{ n: number }>('SELECT count(*)::int AS n FROM analytics.product_performance_mv');
        seen.push(rows[0]!.n);
      } catch (error) {
        errors.push(error);
        return;
      }
    }
  })();
  const readsAfter = async (count: number): Promise<void> => {
    const target = seen.length + count;
    while (seen.length < target && errors.length === 0) await new Promise((r) => setImmediate(r));
  };
  try {
    for (let i = 0; i < 3; i++) {
      await refresher.query(`UPDATE analytics.product_metrics SET total_sales = total_sales + 1`);
      // Keep the refresh's lock held (open transaction): reads must still complete meanwhile.
      await refresher.query('BEGIN');
      await refresher.query(i % 2 === 0 ? 'REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.product_performance_mv' : 'SELECT analytics.refresh_product_performance_mv()');
      await readsAfter(3);
      await refresher.query('COMMIT');
      await readsAfter(3);
    }
  } finally {
    stop = true;
    await readLoop;
    await Promise.all([reader.end(), refresher.end()]);
  }
  expect(errors).toEqual([]);
  expect(seen.length).toBeGreaterThanOrEqual(18);
  expect(seen.every((n) => n === 50)).toBe(true);
  const [sum] = await query<{ total: string }>(db.pool, 'SELECT sum(total_sales)::text AS total FROM analytics.product_performance_mv');
  // 50 products with 100..149, each raised by 3.
  expect(sum!.total).toBe(String(50 * 100 + (49 * 50) / 2 + 3 * 50) + '.00');
});

test('SECURITY DEFINER functions pin search_path and PUBLIC cannot execute them', async () => {
  const rows = await query<{ name: string; config: string[] | null; public_can_execute: boolean }>(
    db.pool,
    `SELECT p.proname AS name, p.proconfig AS config,
            has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute
     FROM pg_proc p WHERE p.pronamespace = 'analytics'::regnamespace AND p.prosecdef ORDER BY 1`,
  );
  const expected = desired.objects.filter((o) => o.kind === 'function' && o.securityDefiner).map((o) => (o as { name: string }).name);
  expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['refresh_product_performance_mv', 'sales_transaction_maintain_partitions']));
  expect(rows.map((r) => r.name)).toEqual([...expected].sort());
  for (const row of rows) {
    expect(row.config).toEqual(['search_path=pg_catalog, pg_temp']);
    expect(row.public_can_execute).toBe(false);
  }
});

test('the variant forms (daily/weekly/yearly, GIN via btree_gin, HASH, unique incl. key, blocking view) apply too', async () => {
  const other = await createTestDatabase('variants');
  try {
    const variants = buildDesired(variantSpecs(), { today: '2024-03-15' });
    await runFreshScript(other.pool, variants);
    const extensions = await query<{ extname: string }>(other.pool, `SELECT extname FROM pg_extension WHERE extname LIKE 'btree%' ORDER BY 1`);
    expect(extensions.map((e) => e.extname)).toEqual(['btree_gin']);
    const invalid = await query(other.pool, `SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid`);
    expect(invalid).toEqual([]);
    const [week] = await query<{ bound: string }>(
      other.pool,
      `SELECT pg_get_expr(relpartbound, oid) AS bound FROM pg_class WHERE relname = 'weekly_rollup_p2024_03_11'`,
    );
    expect(week).toBeDefined();
    await other.pool.query(`SELECT iot.refresh_ledger_mv()`);
    // Each maintenance function agrees with the generated window on the same day…
    for (const table of ['device_event', 'weekly_rollup', 'yearly_ledger']) {
      const [same] = await query<{ summary: string }>(other.pool, `SELECT iot.${table}_maintain_partitions('2024-03-15') AS summary`);
      expect(same!.summary).toBe('nothing to do');
    }
    // …and rolls a yearly window forward: 2022 archived, 2026 made ahead.
    const [later] = await query<{ summary: string }>(other.pool, `SELECT iot.yearly_ledger_maintain_partitions('2025-06-01') AS summary`);
    expect(later!.summary).toBe('archived iot.yearly_ledger_p2022 into archive; created iot.yearly_ledger_p2026');
  } finally {
    await other.drop();
  }
});

test('the maintenance function agrees with the generated window: on the same day it only gives the early row its partition', async () => {
  // The 2031 row inserted above waits in DEFAULT: it gets a partition of its own (late rows), nothing else changes.
  const [result] = await query<{ summary: string }>(db.pool, `SELECT analytics.sales_transaction_maintain_partitions('2024-03-15') AS summary`);
  expect(result!.summary).toBe('created analytics.sales_transaction_p2031_05 (moved 1 late rows from DEFAULT)');
  const [again] = await query<{ summary: string }>(db.pool, `SELECT analytics.sales_transaction_maintain_partitions('2024-03-15') AS summary`);
  expect(again!.summary).toBe('nothing to do');
});
