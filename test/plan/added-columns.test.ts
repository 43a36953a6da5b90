/**
 * Issue 8, "Also": a field added in the middle of a spec is appended at the end on a live table,
 * and the plan says so; a new column a workflow sums into would stay NULL on metric rows that
 * already exist, so the plan refuses it while the table holds rows, saying how to do it instead.
 */
import { readFileSync } from 'node:fs';
import { applyDesired, applySpecs, planDesired, planSpecs } from '../../src/engine';
import { gatePlan } from '../../src/plan/gate';
import { loadExpressionParser } from '../../src/model/expression';
import { loadSpecSources } from '../../src/spec/load';
import { col, state, table } from '../support/desired-builder';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  await loadExpressionParser();
  db = await createTestDatabase('added_columns');
});
afterAll(async () => {
  await db.drop();
});

test('a field added in the middle is appended; the step and a note say so; the plan converges', async () => {
  const t = table('ac', 't', [col('id', 'integer'), col('b', 'text')]);
  await applyDesired(state([t]), { databaseUrl: db.url });
  const to = state([table('ac', 't', [col('id', 'integer'), col('a', 'text'), col('b', 'text')])]);
  const plan = await planDesired(to, { databaseUrl: db.url });
  expect(plan.steps[0]!.description).toBe('add column ac.t.a text (appended after the existing columns: PostgreSQL cannot place it before b as the spec lists it)');
  expect(plan.diagnostics.map((d) => d.code)).toEqual(['plan.column_appended']);
  await applyDesired(to, { databaseUrl: db.url });
  expect(await query(db.pool, `SELECT attname FROM pg_attribute WHERE attrelid = 'ac.t'::regclass AND attnum > 0 ORDER BY attnum`)).toEqual([{ attname: 'id' }, { attname: 'b' }, { attname: 'a' }]);
  expect((await planDesired(to, { databaseUrl: db.url })).steps).toEqual([]);
});

function specsWith(withQuantity: boolean) {
  const files = ['specs/sales_analytics.yaml', 'specs/performance_metrics.yaml'];
  const edit = (file: string, text: string): string => {
    if (!withQuantity) return text;
    if (file.includes('sales_')) return text.replace('          total_transactions: "total_transactions + 1"\n', '          total_transactions: "total_transactions + 1"\n          total_quantity: "total_quantity + transaction.quantity"\n');
    return text.replace('  total_transactions: bigint\n', '  total_transactions: bigint\n  total_quantity: bigint\n');
  };
  const { specs, diagnostics } = loadSpecSources(files.map((file) => ({ file, text: edit(file, readFileSync(file, 'utf8')) })));
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return specs!;
}

test('a new accumulator column: applied while the metrics table is empty, refused with a clear message once it holds rows', async () => {
  const opts = { databaseUrl: db.url, today: '2024-03-15' };
  await applySpecs(specsWith(false), opts);
  // Empty metrics: nothing can stay NULL.
  const empty = await planSpecs(specsWith(true), opts);
  expect(empty.plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);

  await db.pool.query(`INSERT INTO analytics.category_metrics (category, total_sales, total_transactions) VALUES ('books', 10, 1)`);
  const { plan } = await planSpecs(specsWith(true), opts);
  const errors = plan.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map((d) => d.code)).toEqual(['plan.accumulator_on_existing_rows']);
  expect(errors[0]!.message).toContain('analytics.category_metrics.total_quantity is a new column a workflow step adds to');
  expect(errors[0]!.message).toContain('holds rows');
  expect(errors[0]!.hint).toContain('fill it for the existing rows');
  expect(gatePlan(plan, ['deletes_data', 'rewrites_table']).ok).toBe(false);
  await expect(applySpecs(specsWith(true), { ...opts, allowHazards: ['deletes_data', 'rewrites_table'] })).rejects.toThrow(/stay NULL/);
  expect(await query(db.pool, `SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = 'analytics.category_metrics'::regclass AND attname = 'total_quantity'`)).toEqual([{ n: 0 }]);
});
