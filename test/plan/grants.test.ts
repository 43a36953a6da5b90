/**
 * Issue 8 item 6: privileges users granted survive every rebuild. The seed's users grant the
 * loading role EXECUTE on the bulk function; it must survive any change to the function: a
 * body change (CREATE OR REPLACE keeps it), and a change PostgreSQL can only make by drop and
 * create (the argument's name: re-granted in the create's transaction). The REVOKE that follows
 * a re-created function is labelled a revoke, not another replacement.
 */
import { readFileSync } from 'node:fs';
import { applySpecs, planSpecs } from '../../src/engine';
import { loadExpressionParser } from '../../src/model/expression';
import { loadSpecSources } from '../../src/spec/load';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

const LOADER = 'specql_test_loader';
const FN = 'analytics.bulk_insert_transactions(jsonb)';
let db: TestDatabase;
beforeAll(async () => {
  await loadExpressionParser();
  db = await createTestDatabase('grants');
  await db.pool.query(`DO $$ BEGIN CREATE ROLE ${LOADER}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
});
afterAll(async () => {
  await db.drop();
});

function specsWith(replace: (sales: string) => string) {
  const files = ['specs/sales_analytics.yaml', 'specs/performance_metrics.yaml'];
  const { specs, diagnostics } = loadSpecSources(files.map((file) => ({ file, text: file.includes('sales_') ? replace(readFileSync(file, 'utf8')) : readFileSync(file, 'utf8') })));
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return specs!;
}

const canExecute = async (): Promise<boolean> =>
  (await query<{ ok: boolean }>(db.pool, `SELECT has_function_privilege('${LOADER}', 'analytics.bulk_insert_transactions(jsonb)', 'EXECUTE') AS ok`))[0]!.ok;

test('EXECUTE granted to the loading role survives a body change and a drop + create of the bulk function', async () => {
  const opts = { databaseUrl: db.url, today: '2024-03-15' };
  await applySpecs(specsWith((t) => t), opts);
  await db.pool.query(`GRANT EXECUTE ON FUNCTION ${FN} TO ${LOADER}`);
  expect(await canExecute()).toBe(true);

  // A new field changes the body only: CREATE OR REPLACE.
  const withField = specsWith((t) => t.replace('  category: text\n', '  category: text\n  channel: text\n'));
  await applySpecs(withField, opts);
  expect(await canExecute()).toBe(true);

  // Another batch_field renames the argument: only DROP + CREATE can do that.
  const renamed = specsWith((t) => t.replace('  category: text\n', '  category: text\n  channel: text\n').replace('batch_field: transactions', 'batch_field: rows'));
  const { plan } = await planSpecs(renamed, opts);
  const fnSteps = plan.steps.filter((s) => s.object === `function:${FN.replace(/\(.*/, '')}(jsonb)`);
  expect(fnSteps.map((s) => s.action)).toEqual(['drop', 'create', 'revoke', 'grant', 'comment']);
  expect(fnSteps[2]!.description).toBe(`revoke EXECUTE on ${FN} from PUBLIC`);
  expect(fnSteps[3]!.sql).toBe(`GRANT EXECUTE ON FUNCTION ${FN} TO ${LOADER};`);
  // Created, revoked from PUBLIC and granted back in one transaction.
  expect(new Set(fnSteps.slice(1).map((s) => s.group)).size).toBe(1);
  await applySpecs(renamed, opts);
  expect(await canExecute()).toBe(true);
  expect((await query<{ ok: boolean }>(db.pool, `SELECT has_function_privilege('public', '${FN}', 'EXECUTE') AS ok`))[0]!.ok).toBe(false);
  expect((await planSpecs(renamed, opts)).plan.steps).toEqual([]);
});
