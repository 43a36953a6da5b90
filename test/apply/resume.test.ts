/**
 * Resumability: the apply is killed (SIGKILL, via the executor's test hook
 * SPECQL_TEST_KILL_AFTER_STEP) after step k for several k — between
 * concurrent builds, after the ON ONLY parent index, inside a transaction
 * group — then the next plan must see the real state and the next apply must
 * converge: empty plan afterwards, no invalid index, every row still there.
 * Also: INVALID indexes left by failed concurrent builds are dropped and rebuilt.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { applyDesired, planDesired } from '../../src/engine';
import type { DbObject } from '../../src/model/objects';
import { formatPlanText } from '../../src/plan/format/text';
import { col, index, monthly, state, table, view } from '../support/desired-builder';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
let dist: string;
beforeAll(async () => {
  db = await createTestDatabase('resume');
  // The child runs compiled JS; emit the sources to a private folder (type errors elsewhere do not block emit).
  // Under the repo's node_modules so the emitted modules resolve `pg` like the sources do.
  const cache = path.join(__dirname, '..', '..', 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  dist = mkdtempSync(path.join(cache, 'specql-resume-'));
  spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', dist, '--declaration', 'false', '--sourceMap', 'false'], {
    cwd: path.join(__dirname, '..', '..'),
    encoding: 'utf8',
  });
}, 180_000);
afterAll(async () => {
  await db.drop();
  rmSync(dist, { recursive: true, force: true });
});

const ROWS = 20_000;

function objects(s: string, target: boolean): DbObject[] {
  const parent = { schema: s, name: 'sales' };
  const sales = table(s, 'sales', [col('id', 'bigint', { notNull: true }), col('at', 'timestamp with time zone', { notNull: true }), col('region', 'text'), ...(target ? [col('note', 'text')] : [])], {
    constraints: [{ name: 'sales_pkey', kind: 'primary_key', columns: ['id', 'at'] }],
    partitionBy: { strategy: 'range', column: 'at' },
  });
  const plain = table(s, 'customers', [col('id', 'integer', { notNull: true }), col('segment', 'text', { notNull: target })], {
    constraints: [{ name: 'customers_pkey', kind: 'primary_key', columns: ['id'] }],
  });
  return [
    sales,
    ...monthly(parent, '2024-01', target ? 3 : 2),
    plain,
    index(plain, 'customers_segment_idx', ['segment'], target ? { method: 'hash' } : {}),
    ...(target ? [index(sales, 'sales_region_idx', ['region', 'at desc'])] : []),
    view(s, 'segments', target ? `SELECT segment, count(*) AS n, max(id) AS last_id FROM ${s}.customers GROUP BY segment` : `SELECT segment, count(*) AS n FROM ${s}.customers GROUP BY segment`, ['segment']),
  ];
}

async function seed(s: string): Promise<void> {
  await applyDesired(state(objects(s, false)), { databaseUrl: db.url });
  // Rows over three months: March lands in DEFAULT until the window rolls forward.
  await db.pool.query(`INSERT INTO ${s}.sales SELECT g, timestamptz '2024-01-01 00:00:00+00' + (g % 84) * interval '1 day', 'r' || (g % 7) FROM generate_series(1, ${ROWS}) g`);
  await db.pool.query(`INSERT INTO ${s}.customers SELECT g, 's' || (g % 5) FROM generate_series(1, 2000) g`);
}

async function converge(s: string): Promise<void> {
  const desired = state(objects(s, true));
  const resumed = await planDesired(desired, { databaseUrl: db.url });
  const { report } = await applyDesired(desired, { databaseUrl: db.url });
  expect(report.ok).toBe(true);
  const after = await planDesired(desired, { databaseUrl: db.url });
  if (after.steps.length) console.log(`after resume plan:\n${formatPlanText(resumed)}\nleft:\n${formatPlanText(after)}`);
  expect(after.steps).toEqual([]);
  expect(await query(db.pool, `SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid`)).toEqual([]);
  const [n] = await query<{ n: string }>(db.pool, `SELECT count(*) AS n FROM ${s}.sales`);
  expect(Number(n!.n)).toBe(ROWS);
  const [d] = await query<{ n: string }>(db.pool, `SELECT count(*) AS n FROM ${s}.sales_default`);
  expect(Number(d!.n)).toBe(0);
  const [v] = await query<{ n: string }>(db.pool, `SELECT sum(n) AS n FROM ${s}.segments WHERE last_id IS NOT NULL`);
  expect(Number(v!.n)).toBeGreaterThanOrEqual(2000);
}

test('killed after step k (several k), the next apply converges', async () => {
  await seed('k_probe');
  const full = await planDesired(state(objects('k_probe', true)), { databaseUrl: db.url });
  const n = full.steps.length;
  expect(n).toBeGreaterThan(10);
  // First step, inside the DEFAULT-move transaction, right after ON ONLY, between builds, between attaches, near the end.
  const onlyAt = full.steps.findIndex((st) => / ON ONLY /.test(st.sql)) + 1;
  const moveAt = full.steps.findIndex((st) => /WITH moved AS/.test(st.sql)) + 1;
  const validateAt = full.steps.findIndex((st) => /VALIDATE CONSTRAINT/.test(st.sql)) + 1;
  const viewBuildAt = full.steps.findIndex((st) => /CREATE MATERIALIZED VIEW/.test(st.sql)) + 1;
  const swapAt = full.steps.findIndex((st) => /RENAME TO segments_old/.test(st.sql)) + 1;
  const ks = [...new Set([1, moveAt, validateAt, onlyAt, onlyAt + 2, viewBuildAt, swapAt, n - 4, n - 1].filter((k) => k >= 1 && k < n))].sort((a, b) => a - b);
  console.log(`resume: plan of ${n} steps, killed after steps ${ks.join(', ')}`);
  for (const k of ks) {
    const s = `k_${k}`;
    await seed(s);
    const file = path.join(dist, `${s}.json`);
    writeFileSync(file, JSON.stringify(state(objects(s, true))));
    const child = spawnSync(process.execPath, [path.join(__dirname, 'kill-child.js'), dist, db.url, file], {
      env: { ...process.env, SPECQL_TEST_KILL_AFTER_STEP: String(k) },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect({ k, signal: child.signal, stderr: child.stderr }).toEqual({ k, signal: 'SIGKILL', stderr: '' });
    await converge(s);
  }
}, 300_000);

test('INVALID indexes from failed concurrent builds are dropped and rebuilt', async () => {
  const s = 'inv';
  await seed(s);
  await db.pool.query(`INSERT INTO ${s}.customers VALUES (100001, 's1'), (100002, 's1')`);
  // A plain-table index with the desired name, INVALID (unique build over duplicates fails).
  await db.pool.query(`CREATE UNIQUE INDEX CONCURRENTLY customers_segment_idx_x ON ${s}.customers (segment)`).catch(() => undefined);
  await db.pool.query(`DROP INDEX ${s}.customers_segment_idx`);
  await db.pool.query(`ALTER INDEX ${s}.customers_segment_idx_x RENAME TO customers_segment_idx`);
  // ON ONLY parent index (invalid) with one INVALID child left by a failed build and one valid loose child.
  await db.pool.query(`CREATE INDEX sales_region_idx ON ONLY ${s}.sales (region, at DESC)`);
  await db.pool.query(`CREATE UNIQUE INDEX CONCURRENTLY sales_p2024_01_sales_region_idx ON ${s}.sales_p2024_01 (region, at DESC)`).catch(() => undefined);
  await db.pool.query(`CREATE INDEX CONCURRENTLY sales_p2024_02_sales_region_idx ON ${s}.sales_p2024_02 (region, at DESC)`);
  const invalid = await query(db.pool, `SELECT indexrelid::regclass::text AS i FROM pg_index WHERE NOT indisvalid ORDER BY 1`);
  expect(invalid.length).toBe(3);
  const plan = await planDesired(state(objects(s, true)), { databaseUrl: db.url });
  const text = formatPlanText(plan);
  expect(text).toMatch(/DROP INDEX CONCURRENTLY IF EXISTS inv\.sales_p2024_01_sales_region_idx/);
  expect(text).toMatch(/ATTACH PARTITION inv\.sales_p2024_02_sales_region_idx/);
  expect(text).not.toMatch(/CREATE INDEX CONCURRENTLY sales_p2024_02_sales_region_idx/);
  await converge(s);
});
