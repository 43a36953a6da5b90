/**
 * Issue 8 item 13: a spec that validates must not fail half-way. What
 * validation can see is refused there (the 1,600-column limit, subquery
 * defaults); what only the server knows is found by the pre-flight, a
 * rolled-back rehearsal of the plan, so a plan that fails at step N writes
 * nothing: no schema, no table. All on a real PostgreSQL.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan } from '../../src/apply';
import { ApplyFailedError, applyDesired, planDesired } from '../../src/engine';
import type { PlanStep } from '../../src/model/step';
import type { Plan } from '../../src/plan/types';
import { loadExpressionParser, loadSpecText } from '../../src/spec/load';
import { specql } from '../support/cli';
import { col, state, table } from '../support/desired-builder';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  await loadExpressionParser();
  db = await createTestDatabase('preflight');
  dir = mkdtempSync(join(tmpdir(), 'specql-preflight-'));
});
afterAll(async () => {
  await db.drop();
});

const schemaExists = async (name: string): Promise<boolean> =>
  (await query(db.pool, 'SELECT 1 FROM pg_namespace WHERE nspname = $1', [name])).length > 0;

const specFile = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('the issue\'s two examples are refused before any write', () => {
  it('a 2,000-field entity: validate refuses it (PostgreSQL allows 1,600 columns), apply writes nothing', async () => {
    const fields = Array.from({ length: 1999 }, (_, i) => `  f_${i}: text`).join('\n');
    const file = specFile('wide.yaml', `entity: Wide\nschema: pf_wide\nfields:\n  id: uuid\n${fields}\n`);
    const validate = await specql('validate', file);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain('wide.yaml:3:1: error: 2,000 fields: at most 1,598 are allowed');
    const apply = await specql('apply', file, '--database-url', db.url, '--today', '2024-03-15');
    expect(apply.code).toBe(1);
    expect(await schemaExists('pf_wide')).toBe(false);
  });

  it('a subquery default: validate refuses it at its position, apply writes nothing', async () => {
    const file = specFile('subquery.yaml', 'entity: Sub\nschema: pf_sub\nfields:\n  id: uuid\n  n: { type: integer, default: "(SELECT 1)" }\n');
    const validate = await specql('validate', file);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toMatch(/subquery\.yaml:5:\d+: error: subqueries are not allowed in a default/);
    expect((await specql('apply', file, '--database-url', db.url, '--today', '2024-03-15')).code).toBe(1);
    expect(await schemaExists('pf_sub')).toBe(false);
  });
});

describe('the pre-flight: a plan that fails at step N writes nothing', () => {
  it('a spec that validates but PostgreSQL refuses (a default that does not fit its type) leaves no schema behind', async () => {
    const text = 'entity: Bad\nschema: pf_bad\nfields:\n  id: uuid\n  n: { type: integer, default: "\'abc\'" }\n';
    expect(loadSpecText(text, 'bad.yaml').diagnostics).toEqual([]); // validates
    const apply = await specql('apply', specFile('bad.yaml', text), '--database-url', db.url, '--today', '2024-03-15');
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('refused before any write: the pre-flight (a rolled-back rehearsal of the plan) found step 2 fails: create table pf_bad.bad: invalid input syntax for type integer: "abc"');
    expect(apply.stderr).toContain('Nothing was written.');
    expect(await schemaExists('pf_bad')).toBe(false);
  });

  it('a step after earlier ones fails: without the pre-flight the earlier ones stay behind, with it nothing does', async () => {
    const desired = (s: string) =>
      state([
        { kind: 'schema', name: s },
        table(s, 'a', [col('id', 'integer', { notNull: true })]),
        table(s, 'b', [col('id', 'integer', { notNull: true }), col('x', 'no_such_type')], { entity: 'E' }),
      ]);
    // Control: the executor without its pre-flight applies the first steps, then fails.
    const control = await planDesired(desired('pf_control'), { databaseUrl: db.url });
    const failing = control.steps.findIndex((st) => st.sql.includes('no_such_type')) + 1;
    expect(failing).toBeGreaterThan(2);
    const unguarded = await applyPlan(db.url, control, { schemas: ['pf_control'], preflight: false });
    expect(unguarded.ok).toBe(false);
    expect(await schemaExists('pf_control')).toBe(true);

    // With it (the default, as every apply runs): refused at the same step, nothing written.
    await expect(applyDesired(desired('pf_guarded'), { databaseUrl: db.url })).rejects.toThrow(
      new RegExp(`refused before any write: .* found step ${failing} fails: .*type "no_such_type" does not exist`),
    );
    expect(await schemaExists('pf_guarded')).toBe(false);
    expect(await query(db.pool, `SELECT 1 FROM pg_class WHERE relname IN ('a', 'b') AND relnamespace::regnamespace::text LIKE 'pf_guarded%'`)).toEqual([]);
  });

  it('the report names the failing step with its server error and SQL; the rest are not run', async () => {
    const plan = await planDesired(state([{ kind: 'schema', name: 'pf_report' }, table('pf_report', 't', [col('x', 'no_such_type')])]), { databaseUrl: db.url });
    const error = await applyDesired(state([{ kind: 'schema', name: 'pf_report' }, table('pf_report', 't', [col('x', 'no_such_type')])]), { databaseUrl: db.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyFailedError);
    const report = (error as ApplyFailedError).report;
    expect(report.preflight?.ok).toBe(false);
    expect(report.results.map((r) => r.status)).toEqual(plan.steps.map((st) => (st.sql.includes('no_such_type') ? 'failed' : 'not_run')));
    const failed = report.results.find((r) => r.status === 'failed')!;
    expect([failed.preflight, failed.error?.code]).toEqual([true, '42704']);
    expect(await schemaExists('pf_report')).toBe(false);
  });

  it('concurrent steps are not rehearsed and said so; a later step that fails there is unverified, not refused', async () => {
    await db.pool.query('CREATE SCHEMA pf_conc; CREATE TABLE pf_conc.t (id int)');
    const mk = (sql: string, extra: Partial<PlanStep> = {}): PlanStep => ({
      sql, object: 'table:pf_conc.t', action: 'alter', description: sql.slice(0, 60), locks: [], lock: 'ACCESS EXCLUSIVE',
      transactional: true, lockTimeoutMs: 1000, statementTimeoutMs: 10_000, hazards: [], ...extra,
    });
    const plan: Plan = {
      steps: [
        mk('ALTER TABLE pf_conc.t ADD COLUMN v text'),
        mk('CREATE INDEX CONCURRENTLY t_v_idx ON pf_conc.t (v)', { transactional: false, object: 'index:pf_conc.t_v_idx', action: 'build' }),
        mk('ALTER INDEX pf_conc.t_v_idx RENAME TO t_v_idx2', { object: 'index:pf_conc.t_v_idx' }),
      ],
    } as unknown as Plan;
    const report = await applyPlan(db.url, plan, { schemas: ['pf_conc'] });
    expect(report.ok).toBe(true);
    expect(report.preflight).toMatchObject({ ok: true, rehearsed: [1], skipped: [{ index: 2, reason: 'not_transactional' }] });
    expect(report.preflight!.unverified.map((u) => [u.index, u.code])).toEqual([[3, '42P01']]);
    expect((await query(db.pool, `SELECT to_regclass('pf_conc.t_v_idx2') IS NOT NULL AS ok`))[0]).toEqual({ ok: true });
  });

  it('the rehearsal waits out a lock like the executor: lock_timeout, backoff, retry', async () => {
    await db.pool.query('CREATE SCHEMA pf_lock; CREATE TABLE pf_lock.t (id int)');
    const blocker = await db.pool.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE pf_lock.t IN ACCESS SHARE MODE');
    setTimeout(() => void blocker.query('COMMIT').then(() => blocker.release()), 700);
    const plan = { steps: [{ sql: 'ALTER TABLE pf_lock.t ADD COLUMN w int', object: 'table:pf_lock.t', action: 'alter', description: 'add w', locks: [], lock: 'ACCESS EXCLUSIVE', transactional: true, lockTimeoutMs: 200, statementTimeoutMs: 10_000, hazards: [] }] } as unknown as Plan;
    const messages: string[] = [];
    const report = await applyPlan(db.url, plan, { schemas: ['pf_lock'], backoffMs: 100, onProgress: (m) => messages.push(m) });
    expect(report.ok).toBe(true);
    expect(messages.some((m) => /^pre-flight: .*lock timeout.*; retry 1\//.test(m))).toBe(true);
    expect(report.results[0]!.attempts).toBe(1); // the real run found the lock free
  });
});
