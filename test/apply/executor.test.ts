/** The executor's failure and retry paths: lock_timeout retried with backoff,
 *  a failing concurrent build cleaned up and retried once, then reported with
 *  its error and SQL (never swallowed), later steps not run. */
import { applyPlan } from '../../src/apply';
import { connect } from '../../src/db/connection';
import type { PlanStep } from '../../src/model/step';
import type { Plan } from '../../src/plan/types';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('executor');
  await db.pool.query(`CREATE SCHEMA x; CREATE TABLE x.t (id int, v text); INSERT INTO x.t SELECT g, 'same' FROM generate_series(1, 1000) g`);
});
afterAll(async () => {
  await db.drop();
});

const step = (sql: string, extra: Partial<PlanStep> = {}): PlanStep => ({
  sql,
  object: 'table:x.t',
  action: 'alter',
  description: sql,
  locks: [],
  lock: 'ACCESS EXCLUSIVE',
  transactional: true,
  lockTimeoutMs: 200,
  statementTimeoutMs: 10_000,
  hazards: [],
  ...extra,
});
const planOf = (steps: PlanStep[]): Plan => ({ steps, hazards: [], diagnostics: [], rowChecks: [] });

test('lock_timeout is retried with backoff until the blocker goes away', async () => {
  const blocker = await connect(db.url);
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE x.t IN ACCESS SHARE MODE');
  setTimeout(() => void blocker.query('COMMIT').then(() => blocker.end()), 700);
  const messages: string[] = [];
  // The executor's own retries (the pre-flight retries the same way, test/apply/preflight.test.ts).
  const report = await applyPlan(db.url, planOf([step('ALTER TABLE x.t ADD COLUMN w int;')]), { schemas: ['x'], onProgress: (m) => messages.push(m), backoffMs: 100, preflight: false });
  expect(report.ok).toBe(true);
  expect(report.results[0]!.attempts).toBeGreaterThan(1);
  expect(messages.some((m) => m.includes('lock_timeout (ACCESS EXCLUSIVE); retry 1/'))).toBe(true);
});

test('a failing concurrent build: INVALID leftover dropped, retried once, then reported with error and SQL', async () => {
  const build = step('CREATE UNIQUE INDEX CONCURRENTLY t_v_key ON x.t (v);', {
    transactional: false,
    object: 'index:x.t_v_key',
    action: 'build',
    lock: 'SHARE UPDATE EXCLUSIVE',
    indexBuild: { index: { schema: 'x', name: 't_v_key' }, mode: 'create' },
  });
  const messages: string[] = [];
  const report = await applyPlan(db.url, planOf([step('ALTER TABLE x.t ADD COLUMN z int;'), build, step('ALTER TABLE x.t ADD COLUMN never int;')]), {
    schemas: ['x'],
    onProgress: (m) => messages.push(m),
  });
  expect(report.ok).toBe(false);
  expect(report.results.map((r) => r.status)).toEqual(['applied', 'failed', 'not_run']);
  expect(report.results[1]!.error).toMatchObject({ code: '23505', sql: build.sql });
  expect(report.results[1]!.attempts).toBe(2);
  expect(messages.some((m) => m.includes('dropped INVALID x.t_v_key, retrying once'))).toBe(true);
  expect(await query(db.pool, `SELECT 1 FROM pg_attribute WHERE attrelid = 'x.t'::regclass AND attname = 'never'`)).toEqual([]);
});

test('a group fails as a whole: earlier statements of its transaction are rolled back', async () => {
  const report = await applyPlan(db.url, planOf([
    step('ALTER TABLE x.t ADD COLUMN g1 int;', { group: 'g' }),
    step('ALTER TABLE x.t ADD COLUMN g1 int;', { group: 'g' }),
  ]), { schemas: ['x'], preflight: false }); // the pre-flight would refuse it before any write; this is the executor's own guard
  expect(report.results.map((r) => r.status)).toEqual(['rolled_back', 'failed']);
  expect(report.results[1]!.error?.code).toBe('42701');
  expect(await query(db.pool, `SELECT 1 FROM pg_attribute WHERE attrelid = 'x.t'::regclass AND attname = 'g1'`)).toEqual([]);
});

test('progress of a long concurrent build is reported from a second connection', async () => {
  // A deliberately slow (but immutable) expression makes the build last ~1 s on 600 rows.
  await db.pool.query(`CREATE FUNCTION x.slow(v int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM pg_sleep(0.002); RETURN v; END $$`);
  await db.pool.query(`CREATE TABLE x.p (id int); INSERT INTO x.p SELECT generate_series(1, 600)`);
  const messages: string[] = [];
  const report = await applyPlan(
    db.url,
    planOf([step('CREATE INDEX CONCURRENTLY p_slow_idx ON x.p (x.slow(id));', {
      transactional: false,
      object: 'index:x.p_slow_idx',
      action: 'build',
      description: 'slow build',
      lock: 'SHARE UPDATE EXCLUSIVE',
      indexBuild: { index: { schema: 'x', name: 'p_slow_idx' }, mode: 'create' },
    })]),
    { schemas: ['x'], onProgress: (m) => messages.push(m) },
  );
  expect(report.ok).toBe(true);
  expect(messages.some((m) => /step 1\/1 slow build: building index/.test(m))).toBe(true);
});

test('a REINDEX CONCURRENTLY cut short leaves no _ccnew index behind', async () => {
  // x.slow and x.p come from the progress test above; 600 rows × 2 ms outlast a 300 ms statement_timeout.
  const rebuild = step('REINDEX INDEX CONCURRENTLY x.p_slow_idx;', {
    transactional: false,
    object: 'index:x.p_slow_idx',
    action: 'build',
    statementTimeoutMs: 300,
    indexBuild: { index: { schema: 'x', name: 'p_slow_idx' }, mode: 'reindex' },
  });
  const messages: string[] = [];
  const report = await applyPlan(db.url, planOf([rebuild]), { schemas: ['x'], onProgress: (m) => messages.push(m) });
  expect(report.ok).toBe(false);
  expect(report.results[0]!.error?.code).toBe('57014');
  expect(messages.some((m) => m.includes('dropped INVALID x.p_slow_idx_ccnew'))).toBe(true);
  expect(await query(db.pool, `SELECT relname FROM pg_class WHERE relname LIKE 'p_slow_idx_ccnew%'`)).toEqual([]);
  expect(await query(db.pool, `SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'x.p_slow_idx'::regclass`)).toEqual([{ valid: true }]);
});
