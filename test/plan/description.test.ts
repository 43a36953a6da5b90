/**
 * Issue 8 item 9: an entity's `description` is its table's comment, after the ownership
 * marker line, as a quoted literal; changing it plans one COMMENT step and nothing else.
 */
import { readFileSync } from 'node:fs';
import { applySpecs, planSpecs } from '../../src/engine';
import { loadExpressionParser } from '../../src/model/expression';
import { renderScript } from '../../src/plan/script';
import { buildDesired } from '../../src/desired/build';
import { loadSpecSources } from '../../src/spec/load';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  await loadExpressionParser();
  db = await createTestDatabase('description');
});
afterAll(async () => {
  await db.drop();
});

function specsWith(description: string) {
  const file = 'specs/performance_metrics.yaml';
  const text = readFileSync(file, 'utf8').replace('entity: CategoryMetrics\n', `entity: CategoryMetrics\ndescription: ${JSON.stringify(description)}\n`);
  const { specs, diagnostics } = loadSpecSources([{ file, text }]);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return specs!;
}

const comment = async (): Promise<string> =>
  (await query<{ c: string }>(db.pool, `SELECT obj_description('analytics.category_metrics'::regclass, 'pg_class') AS c`))[0]!.c;

test('the description is the table comment after the marker; a change plans one COMMENT step', async () => {
  const opts = { databaseUrl: db.url, today: '2024-03-15' };
  // Quotes, a semicolon and a line break: all of it stays inside the quoted literal.
  const first = "Totals per category; it's fed by the workflow\n-- not SQL";
  await applySpecs(specsWith(first), opts);
  expect(await comment()).toBe(`specql:entity=CategoryMetrics;columns=category,total_sales,total_transactions\n${first}`);
  expect((await planSpecs(specsWith(first), opts)).plan.steps).toEqual([]);

  const second = 'Totals per category (v2)';
  const { plan } = await planSpecs(specsWith(second), opts);
  expect(plan.steps.map((s) => [s.action, s.object, s.description])).toEqual([
    ['comment', 'table:analytics.category_metrics', 'comment on table:analytics.category_metrics: its description changed (the ownership marker stays)'],
  ]);
  await applySpecs(specsWith(second), opts);
  expect(await comment()).toBe(`specql:entity=CategoryMetrics;columns=category,total_sales,total_transactions\n${second}`);
  expect((await planSpecs(specsWith(second), opts)).plan.steps).toEqual([]);
});

test('in specql sql the description appears only inside the COMMENT literal, never in a -- line', () => {
  const script = renderScript(buildDesired(specsWith('Totals; DROP TABLE x'), { today: '2024-03-15' }));
  const lines = script.split('\n');
  expect(lines.filter((l) => l.includes('DROP TABLE x'))).toEqual(["Totals; DROP TABLE x';"]);
  expect(script).toContain("COMMENT ON TABLE analytics.category_metrics IS 'specql:entity=CategoryMetrics;columns=category,total_sales,total_transactions\nTotals; DROP TABLE x';");
});
