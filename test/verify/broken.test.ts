/**
 * Each check fails, with its measured value, on a database broken on purpose,
 * and passes again once repaired: an index missing on one partition, rows in
 * DEFAULT, a slow workflow trigger, a view without its unique index, work_mem
 * set tiny, a future partition dropped, a SECURITY DEFINER function without a
 * pinned search_path, inserts that fail. The timing checks are made to fail
 * through budgets no machine meets (set in the spec), never by hoping for slowness.
 */
import { applySpecs } from '../../src/engine';
import { loadSpecs } from '../../src/spec/load';
import type { SpecSet } from '../../src/spec/model';
import { specql } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { analyzeLikeAutovacuum, GENEROUS, parseTap, specsWithBudgets, splitMeasured, TINY, type TapAssert } from './support';

let db: TestDatabase;
let dir: string;
let specs: SpecSet;
const month = new Date().toISOString().slice(0, 7).replace('-', '_');
const current = `sales_transaction_p${month}`;

beforeAll(async () => {
  db = await createTestDatabase('verify_broken');
  dir = specsWithBudgets(GENEROUS);
  ({ specs } = await loadSpecs([dir]));
  await applySpecs(specs, { databaseUrl: db.url });
  expect((await specql('load-test', dir, '--rows', '1000', '--clients', '2', '--seed', '11', '--database-url', db.url)).code).toBe(0);
  await analyzeLikeAutovacuum(db.pool);
}, 180_000);

afterAll(async () => {
  await db?.drop();
});

async function verify(...extra: string[]): Promise<{ code: number; asserts: TapAssert[]; stdout: string }> {
  const result = await specql('verify', dir, '--database-url', db.url, ...extra);
  const tap = parseTap(result.stdout);
  expect(tap.plan?.end).toBe(tap.asserts.length);
  return { code: result.code, asserts: tap.asserts, stdout: result.stdout };
}

function find(asserts: readonly TapAssert[], pattern: RegExp): TapAssert & { measured: string } {
  const found = asserts.filter((a) => pattern.test(splitMeasured(a.name).description));
  if (found.length !== 1) throw new Error(`expected one check matching ${pattern}, got ${found.length}:\n${asserts.map((a) => a.name).join('\n')}`);
  return { ...found[0]!, measured: splitMeasured(found[0]!.name).measured ?? '' };
}

const detailsOf = (a: TapAssert): string => JSON.stringify(a.diag ?? {});

test('the database starts healthy', async () => {
  const run = await verify();
  if (run.code !== 0) console.log(run.stdout);
  expect(run.code).toBe(0);
}, 120_000);

test('an index missing on the current partition fails the index check and the one-interval query check', async () => {
  const { rows } = await db.pool.query<{ name: string }>(`SELECT c.relname AS name FROM pg_partition_tree('analytics.sales_transaction') t JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf ORDER BY 1`);
  expect(rows.map((r) => r.name)).toContain(current);
  // What a build that stopped half-way leaves: the parent index (ON ONLY) attached on every partition but one.
  await db.pool.query('DROP INDEX analytics.idx_sales_customer_product');
  await db.pool.query('CREATE INDEX idx_sales_customer_product ON ONLY analytics.sales_transaction (customer_id, product_id)');
  for (const { name } of rows.filter((r) => r.name !== current)) {
    await db.pool.query(`CREATE INDEX ${name}_cp ON analytics.${name} (customer_id, product_id)`);
    await db.pool.query(`ALTER INDEX analytics.idx_sales_customer_product ATTACH PARTITION analytics.${name}_cp`);
  }
  const run = await verify('--entities', 'SalesTransaction', '--only', 'indexes_valid,partition_pruning');
  expect(run.code).toBe(1);
  const valid = find(run.asserts, /index idx_sales_customer_product exists and is valid on every partition/);
  expect(valid.ok).toBe(false);
  expect(valid.measured).toBe(`valid on ${rows.length - 1} of ${rows.length} partitions, parent index invalid`);
  expect(detailsOf(valid)).toContain(`missing or invalid on ${current}`);
  const query = find(run.asserts, /one-month query on \(customer_id, product_id\)/);
  expect(query.ok).toBe(false);
  expect(query.measured).toMatch(new RegExp(`^scanned ${current} \\(`));
  expect(detailsOf(query)).toContain('no index condition on customer_id');
  // The other indexes are untouched and still pass.
  expect(find(run.asserts, /index idx_sales_transaction_date exists/).ok).toBe(true);

  await db.pool.query(`CREATE INDEX ${current}_cp ON analytics.${current} (customer_id, product_id)`);
  await db.pool.query(`ALTER INDEX analytics.idx_sales_customer_product ATTACH PARTITION analytics.${current}_cp`);
  const repaired = await verify('--entities', 'SalesTransaction', '--only', 'indexes_valid,partition_pruning');
  expect(find(repaired.asserts, /index idx_sales_customer_product exists/).ok).toBe(true);
  expect(find(repaired.asserts, /one-month query on \(customer_id, product_id\)/).ok).toBe(true);
}, 180_000);

test('rows in DEFAULT fail the DEFAULT check with their count', async () => {
  await db.pool.query(`INSERT INTO analytics.sales_transaction (transaction_date, region) VALUES ('2001-01-01T00:00:00Z', 'late'), ('2001-02-01T00:00:00Z', 'late')`);
  const run = await verify('--entities', 'SalesTransaction', '--only', 'default_empty');
  const check = find(run.asserts, /DEFAULT partition sales_transaction_default is empty/);
  expect(check.ok).toBe(false);
  expect(check.measured).toBe('2 rows');
  await db.pool.query(`DELETE FROM analytics.sales_transaction_default`);
  expect(find((await verify('--entities', 'SalesTransaction', '--only', 'default_empty')).asserts, /DEFAULT partition/).ok).toBe(true);
}, 120_000);

test('a slow workflow trigger fails the trigger-overhead check with the measured factor', async () => {
  const { rows } = await db.pool.query<{ def: string }>(`SELECT pg_get_functiondef('analytics.update_performance_metrics_enqueue()'::regprocedure) AS def`);
  const original = rows[0]!.def;
  await db.pool.query(`CREATE OR REPLACE FUNCTION analytics.update_performance_metrics_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1); RETURN NULL; END $$`);
  try {
    // A factor of 3 (the default) against a trigger that sleeps 1 s per statement: no machine is that slow without it.
    const strict = specsWithBudgets({ ...GENEROUS, trigger_overhead: 3 });
    const result = await specql('verify', strict, '--database-url', db.url, '--entities', 'SalesTransaction', '--only', 'trigger_overhead');
    const run = { asserts: parseTap(result.stdout).asserts };
    const check = find(run.asserts, /inserts with the update_performance_metrics trigger cost at most 3×/);
    expect(check.ok).toBe(false);
    const factor = Number(/^([\d.]+)×/.exec(check.measured)?.[1]);
    expect(factor).toBeGreaterThan(3);
    expect(check.measured).toMatch(/ms with the trigger, .* ms without, 1000 rows\)$/);
  } finally {
    await db.pool.query(original);
  }
}, 180_000);

test('a conflicting lock held for 3 s (as autovacuum holds one) delays the trigger check, which then passes', async () => {
  const holder = await db.pool.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(`LOCK TABLE analytics.${current} IN SHARE UPDATE EXCLUSIVE MODE`);
    const released = new Promise<void>((resolve) => setTimeout(() => void holder.query('COMMIT').then(() => resolve()), 3000));
    const run = await verify('--entities', 'SalesTransaction', '--only', 'trigger_overhead');
    await released;
    const check = find(run.asserts, /trigger cost at most 50×/);
    expect(check.measured).toMatch(/^[\d.]+× \(per row/);
    expect(check.ok).toBe(true);
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    holder.release();
  }
}, 120_000);

test('a view without its unique index fails the refresh and the index check', async () => {
  await db.pool.query('DROP INDEX analytics.product_performance_mv_key');
  const run = await verify('--entities', 'ProductMetrics', '--only', 'view_refresh,indexes_valid');
  const refresh = find(run.asserts, /REFRESH MATERIALIZED VIEW CONCURRENTLY product_performance_mv/);
  expect(refresh.ok).toBe(false);
  expect(refresh.measured).toMatch(/^error: cannot refresh materialized view "analytics.product_performance_mv" concurrently/);
  const key = find(run.asserts, /unique key index product_performance_mv_key/);
  expect(key.ok).toBe(false);
  expect(key.measured).toBe('missing');
  await applySpecs(specs, { databaseUrl: db.url }); // the planner puts it back
  expect((await verify('--entities', 'ProductMetrics', '--only', 'view_refresh,indexes_valid')).code).toBe(0);
}, 180_000);

test('work_mem set tiny makes the bulk load spill temporary files, and the check says how much', async () => {
  await db.pool.query(`ALTER DATABASE ${db.name} SET work_mem = '64kB'`);
  try {
    const run = await verify('--entities', 'SalesTransaction', '--only', 'temp_spill');
    const check = find(run.asserts, /spill no temporary files at work_mem/);
    expect(check.ok).toBe(false);
    const bytes = Number(/^(\d+) temp bytes at work_mem 64kB/.exec(check.measured)?.[1]);
    expect(bytes).toBeGreaterThan(0);
    expect(detailsOf(check)).toMatch(/pg_stat_database.temp_bytes grew by [1-9]\d*/);
  } finally {
    await db.pool.query(`ALTER DATABASE ${db.name} RESET work_mem`);
  }
  expect(find((await verify('--entities', 'SalesTransaction', '--only', 'temp_spill')).asserts, /spill no temporary files/).ok).toBe(true);
}, 180_000);

test('a missing future partition fails the premake check', async () => {
  const { rows } = await db.pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'analytics.sales_transaction'::regclass
     AND c.relname <> 'sales_transaction_default' ORDER BY 1 DESC LIMIT 1`,
  );
  await db.pool.query(`DROP TABLE analytics.${rows[0]!.name}`);
  const run = await verify('--entities', 'SalesTransaction', '--only', 'future_partitions');
  const check = find(run.asserts, /at least 3 future partitions ready/);
  expect(check.ok).toBe(false);
  expect(check.measured).toMatch(/^2 future partitions, the last ending /);
  await applySpecs(specs, { databaseUrl: db.url });
  expect(find((await verify('--entities', 'SalesTransaction', '--only', 'future_partitions')).asserts, /future partitions/).ok).toBe(true);
}, 180_000);

test('a SECURITY DEFINER function without a pinned search_path is named', async () => {
  await db.pool.query(`CREATE FUNCTION analytics.unsafe_helper() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1'`);
  try {
    const run = await verify('--entities', 'CategoryMetrics', '--only', 'definer_search_path');
    const check = find(run.asserts, /schema analytics: every SECURITY DEFINER function pins search_path/);
    expect(check.ok).toBe(false);
    expect(check.measured).toBe('6 SECURITY DEFINER functions, 1 without a pinned search_path');
    expect(detailsOf(check)).toContain('analytics.unsafe_helper()');
  } finally {
    await db.pool.query('DROP FUNCTION analytics.unsafe_helper()');
  }
}, 120_000);

test('inserts that fail make the concurrent-clients check (and the bulk load) fail with the error', async () => {
  await db.pool.query(`CREATE FUNCTION analytics.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'inserts refused for the test'; END $$`);
  await db.pool.query('CREATE TRIGGER refuse BEFORE INSERT ON analytics.sales_transaction FOR EACH ROW EXECUTE FUNCTION analytics.refuse()');
  try {
    const run = await verify('--entities', 'SalesTransaction', '--only', 'concurrent_clients,bulk_load');
    const clients = find(run.asserts, /8 concurrent clients insert/);
    expect(clients.ok).toBe(false);
    expect(clients.measured).toMatch(/^8 clients, 200 inserts of 20 rows: 200 errors/);
    expect(detailsOf(clients)).toContain('inserts refused for the test');
    const bulk = find(run.asserts, /bulk_insert_transactions loads 1,000 rows/);
    expect(bulk.ok).toBe(false);
    expect(bulk.measured).toMatch(/^error: .*inserts refused for the test/);
  } finally {
    await db.pool.query('DROP TRIGGER refuse ON analytics.sales_transaction');
    await db.pool.query('DROP FUNCTION analytics.refuse()');
  }
}, 180_000);

test('budgets no machine meets fail every timing check, each still printing what it measured', async () => {
  const tiny = specsWithBudgets(TINY);
  const result = await specql('verify', tiny, '--database-url', db.url);
  expect(result.code).toBe(1);
  const { asserts } = parseTap(result.stdout);
  const expectations: [RegExp, RegExp][] = [
    [/bulk_insert_transactions loads 1,000 rows in < 0.001 ms/, /^[\d.]+ ms for 1000 rows$/],
    [/REFRESH MATERIALIZED VIEW CONCURRENTLY product_performance_mv completes in < 0.001 ms/, /^[\d.]+ ms$/],
    [/REINDEX CONCURRENTLY of idx_sales_transaction_date .* < 0.001 ms/, /^reader waited at most [\d.]+ m?s over \d+ quer(y|ies) during a [\d.]+ m?s rebuild of /],
    [/one month of one region by day, category .* answers in < 0.001 ms/, /^[\d.]+ ms, \d+ rows$/],
    [/product_performance_mv in key order/, /^[\d.]+ ms, \d+ rows$/],
    [/8 concurrent clients insert through a pool without errors, p99 < 0.001 ms/, /^8 clients, 200 inserts of 20 rows: 0 errors, p50 [\d.]+ m?s, p99 [\d.]+ m?s$/],
  ];
  for (const [description, measured] of expectations) {
    const check = find(asserts, description);
    expect(check.ok).toBe(false);
    expect(check.measured).toMatch(measured);
  }
  // Structural checks do not depend on budgets.
  expect(find(asserts, /DEFAULT partition/).ok).toBe(true);
}, 180_000);
