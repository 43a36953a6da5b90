/** The example specs/ from an empty database: apply, then the second plan is empty. */
import { applySpecs, planSpecs } from '../../src/engine';
import { loadSpecs } from '../../src/spec/load';
import { formatPlanText } from '../../src/plan/format/text';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('plan_specs');
});
afterAll(async () => {
  await db.drop();
});

test('specs/: create from empty, then the second plan is empty', async () => {
  const { specs, diagnostics } = await loadSpecs(['specs']);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const opts = { databaseUrl: db.url, today: '2024-03-15' };
  const first = await planSpecs(specs!, opts);
  expect(first.plan.steps.length).toBeGreaterThan(0);
  const applied = await applySpecs(specs!, opts);
  expect(applied.report.ok).toBe(true);
  const second = await planSpecs(specs!, opts);
  if (second.plan.steps.length) console.log(formatPlanText(second.plan));
  expect(second.plan.steps).toEqual([]);
  const invalid = await query(db.pool, `SELECT indexrelid::regclass::text AS i FROM pg_index WHERE NOT indisvalid`);
  expect(invalid).toEqual([]);
});
