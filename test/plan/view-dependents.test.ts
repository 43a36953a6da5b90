/**
 * Issue 8 item 1: a materialized view that reads a column no longer blocks changing the
 * column's type. The seed's repro (ProductMetrics.total_quantity → bigint) on specs/, and an
 * apply stopped right after the view was put aside: the next apply rebuilds it.
 */
import { readFileSync } from 'node:fs';
import { applyDesired, applySpecs, planDesired, planSpecs } from '../../src/engine';
import { loadExpressionParser } from '../../src/model/expression';
import { loadSpecSources } from '../../src/spec/load';
import { formatPlanText } from '../../src/plan/format/text';
import { col, state, table, view } from '../support/desired-builder';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

const READER = 'specql_acc_reader';
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('view_dependents');
  await db.pool.query(`DO $$ BEGIN CREATE ROLE ${READER}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
});
afterAll(async () => {
  await db.drop();
});

function specsWith(replace: (metrics: string) => string) {
  const files = ['specs/sales_analytics.yaml', 'specs/performance_metrics.yaml'];
  const sources = files.map((file) => ({ file, text: file.endsWith('performance_metrics.yaml') ? replace(readFileSync(file, 'utf8')) : readFileSync(file, 'utf8') }));
  const { specs, diagnostics } = loadSpecSources(sources);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return specs!;
}

test('specs/: ProductMetrics.total_quantity → bigint rebuilds product_performance_mv around the change; rows and grants survive', async () => {
  await loadExpressionParser();
  const opts = { databaseUrl: db.url, today: '2024-03-15' };
  await applySpecs(specsWith((t) => t), opts);
  await db.pool.query(`INSERT INTO analytics.product_metrics (product_id, total_sales, total_quantity) SELECT gen_random_uuid(), g, g FROM generate_series(1, 500) g`);
  await db.pool.query(`REFRESH MATERIALIZED VIEW analytics.product_performance_mv`);
  await db.pool.query(`GRANT SELECT ON analytics.product_performance_mv TO ${READER}`);
  const changed = specsWith((t) => t.replace('total_quantity: integer', 'total_quantity: bigint'));
  const { plan } = await planSpecs(changed, opts);
  const codes = plan.hazards.map((h) => h.code);
  expect(codes).toEqual(expect.arrayContaining(['rewrites_table', 'view_rebuild']));
  // A reader keeps reading the view throughout: it never fails and never sees it empty.
  let reading = true;
  const seen: string[] = [];
  const reader = (async () => {
    while (reading) {
      const r = await db.pool.query(`SELECT count(*)::text AS n FROM analytics.product_performance_mv`).then((x) => String(x.rows[0].n), (e: Error) => `error: ${e.message}`);
      seen.push(r);
    }
  })();
  const applied = await applySpecs(changed, { ...opts, allowHazards: ['rewrites_table'] }).finally(() => (reading = false));
  await reader;
  expect(applied.report.ok).toBe(true);
  expect(seen.length).toBeGreaterThan(0);
  expect([...new Set(seen)]).toEqual(['500']);
  const again = await planSpecs(changed, opts);
  if (again.plan.steps.length) console.log(formatPlanText(again.plan));
  expect(again.plan.steps).toEqual([]);
  const [row] = await query<{ n: string; type: string; readable: boolean }>(
    db.pool,
    `SELECT (SELECT count(*) FROM analytics.product_performance_mv) AS n,
            (SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'analytics.product_performance_mv'::regclass AND attname = 'total_quantity') AS type,
            has_table_privilege('${READER}', 'analytics.product_performance_mv', 'SELECT') AS readable`,
  );
  expect(row).toEqual({ n: '500', type: 'bigint', readable: true });
  // The refresh function still works on the rebuilt view.
  await db.pool.query(`SELECT analytics.refresh_product_performance_mv()`);
});

test('an apply stopped after the view was put aside: readers read the snapshot, the next apply rebuilds the view', async () => {
  const s = 'vd_resume';
  const t = table(s, 't', [col('id', 'integer', { notNull: true }), col('q', 'integer')], { constraints: [{ name: 't_pkey', kind: 'primary_key', columns: ['id'] }] });
  const v = view(s, 'v', `SELECT id, q FROM ${s}.t`, ['id']);
  const opts = { databaseUrl: db.url };
  await applyDesired(state([t, v]), opts);
  await db.pool.query(`INSERT INTO ${s}.t SELECT g, g FROM generate_series(1, 300) g`);
  await db.pool.query(`REFRESH MATERIALIZED VIEW ${s}.v`);
  await db.pool.query(`GRANT SELECT ON ${s}.v TO ${READER}`);
  const to = state([{ ...t, columns: t.columns.map((c) => (c.name === 'q' ? { ...c, type: 'bigint' } : c)) }, v]);
  // Run only the snapshot and its swap, as if the apply had been killed right after them.
  await applyDesired(to, { ...opts, allowHazards: ['rewrites_table'] }, undefined, (plan) => ({ ...plan, steps: plan.steps.filter((st) => st.group?.includes(':snapshot')) }));
  const [meanwhile] = await query<{ n: string; kind: string; readable: boolean }>(
    db.pool,
    `SELECT (SELECT count(*) FROM ${s}.v) AS n, relkind::text AS kind, has_table_privilege('${READER}', oid, 'SELECT') AS readable FROM pg_class WHERE oid = '${s}.v'::regclass`,
  );
  expect(meanwhile).toEqual({ n: '300', kind: 'r', readable: true });
  const resumed = await planDesired(to, opts);
  expect(resumed.steps.some((st) => st.description.includes('(snapshot)'))).toBe(true);
  await applyDesired(to, { ...opts, allowHazards: ['rewrites_table'] });
  expect((await planDesired(to, opts)).steps).toEqual([]);
  const [after] = await query<{ n: string; kind: string; readable: boolean }>(
    db.pool,
    `SELECT (SELECT count(*) FROM ${s}.v) AS n, relkind::text AS kind, has_table_privilege('${READER}', oid, 'SELECT') AS readable FROM pg_class WHERE oid = '${s}.v'::regclass`,
  );
  expect(after).toEqual({ n: '300', kind: 'm', readable: true });
});

test('a view specql does not manage that reads the retyped column: the plan refuses with how to proceed, and changes nothing', async () => {
  const s = 'vd_foreign';
  const t = table(s, 't', [col('id', 'integer', { notNull: true }), col('q', 'integer')]);
  const opts = { databaseUrl: db.url };
  await applyDesired(state([t]), opts);
  await db.pool.query(`CREATE VIEW ${s}.by_hand AS SELECT id, q FROM ${s}.t`);
  const to = state([{ ...t, columns: t.columns.map((c) => (c.name === 'q' ? { ...c, type: 'bigint' } : c)) }]);
  const plan = await planDesired(to, opts);
  expect(plan.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.hint])).toEqual([
    ['plan.column_used_by_view', `drop ${s}.by_hand first and create it again after the apply`],
  ]);
  await expect(applyDesired(to, { ...opts, allowHazards: ['rewrites_table'] })).rejects.toThrow(/which specql does not manage, reads it/);
  expect(await query(db.pool, `SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = '${s}.t'::regclass AND attname = 'q'`)).toEqual([{ t: 'integer' }]);
});
