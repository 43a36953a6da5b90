/**
 * `specql verify` on a healthy database: specs/ applied, rows loaded and the
 * metrics drained, then every derived check passes (budgets generous: this
 * test asserts behaviour, not speed), the TAP output parses with a real TAP
 * parser and prints a measured value on every line, the JSON output says the
 * same, and the database is exactly as it was before (row counts, relations,
 * index definitions, triggers, functions, no temporary objects).
 */
import { applySpecs } from '../../src/engine';
import { loadSpecs } from '../../src/spec/load';
import { CHECK_KINDS } from '../../src/verify/types';
import { specql } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { analyzeLikeAutovacuum, GENEROUS, parseTap, snapshot, specsWithBudgets, splitMeasured } from './support';

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('verify');
  dir = specsWithBudgets(GENEROUS);
  const { specs, diagnostics } = await loadSpecs([dir]);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  await applySpecs(specs, { databaseUrl: db.url });
  const loaded = await specql('load-test', dir, '--rows', '3000', '--clients', '2', '--seed', '3', '--database-url', db.url);
  expect(loaded.code).toBe(0);
  // Drain the metrics queue as a worker would, and refresh the view: the queries and the refresh see real rows.
  while (Number((await db.pool.query('SELECT analytics.update_performance_metrics_process() AS n')).rows[0].n) > 0);
  await db.pool.query('SELECT analytics.refresh_product_performance_mv()');
  await analyzeLikeAutovacuum(db.pool);
}, 180_000);

afterAll(async () => {
  await db?.drop();
});

test('every check passes on a healthy database, each TAP line with its measured value, and nothing is left behind', async () => {
  const schemas = ['analytics', 'analytics_archive'];
  const before = await snapshot(db.pool, schemas);
  const result = await specql('verify', dir, '--database-url', db.url);
  const after = await snapshot(db.pool, schemas);
  if (result.code !== 0) console.log(result.stdout, result.stderr);
  expect(result.code).toBe(0);

  const tap = parseTap(result.stdout);
  expect(tap.ok).toBe(true);
  expect(tap.plan?.end).toBe(tap.asserts.length);
  expect(tap.asserts.length).toBeGreaterThanOrEqual(20);
  expect(tap.asserts.map((a) => a.id)).toEqual(tap.asserts.map((_, i) => i + 1));
  for (const a of tap.asserts) {
    expect(a.ok).toBe(true);
    expect(splitMeasured(a.name).measured).toMatch(/\S/);
  }
  // Every kind of check was derived from specs/ and run.
  const names = tap.asserts.map((a) => splitMeasured(a.name).description);
  const expectOne = (pattern: RegExp): void => expect(names.filter((n) => pattern.test(n)).length).toBeGreaterThanOrEqual(1);
  expectOne(/bulk_insert_transactions loads 1,000 rows in < 1 min|bulk_insert_transactions loads 1,000 rows in < 60 s/);
  expectOne(/reads only that month's partition, through an index/);
  expectOne(/REFRESH MATERIALIZED VIEW CONCURRENTLY product_performance_mv/);
  expectOne(/REINDEX CONCURRENTLY of idx_sales_transaction_date/);
  expectOne(/update_performance_metrics trigger cost at most 50×/);
  expectOne(/product_performance_mv in key order/);
  expectOne(/spill no temporary files/);
  expectOne(/8 concurrent clients insert/);
  expectOne(/idx_sales_region_category_date exists and is valid on every partition/);
  expectOne(/at least 3 future partitions/);
  expectOne(/DEFAULT partition sales_transaction_default is empty/);
  expectOne(/every SECURITY DEFINER function pins search_path/);
  expect(result.stdout).toMatch(/^# pgTAP is not installed in this database, so specql verify runs these checks itself/m);

  expect(after).toEqual(before);
}, 300_000);

test('--format json reports the same checks, with every kind present', async () => {
  const result = await specql('verify', dir, '--database-url', db.url, '--format', 'json');
  const report = JSON.parse(result.stdout) as { ok: boolean; failed: number; checks: { kind: string; ok: boolean; measured: string; number: number; details: string[] }[]; pgTap: { schema: string | null } };
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(result.code).toBe(0);
  expect(report.ok).toBe(true);
  expect(report.failed).toBe(0);
  expect(report.pgTap.schema).toBeNull();
  expect(new Set(report.checks.map((c) => c.kind))).toEqual(new Set(CHECK_KINDS));
  expect(report.checks.every((c) => c.ok && c.measured.length > 0)).toBe(true);
}, 300_000);

test('bad usage and unknown entities are errors, not checks', async () => {
  expect((await specql('verify', dir, '--format', 'xml', '--database-url', db.url)).stderr).toMatch(/--format is tap or json/);
  const unknown = await specql('verify', dir, '--entities', 'Nope', '--database-url', db.url);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/unknown entity: Nope/);
});
