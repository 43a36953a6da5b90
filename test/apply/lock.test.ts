/** Two applies at once serialise on the per-schema advisory lock: the second
 *  waits with a message naming the holder, both succeed, the final plan is empty. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireApplyLocks, LockWaitTimeoutError, parseDuration } from '../../src/apply/advisory-lock';
import { connect } from '../../src/db/connection';
import { applyDesired, planDesired } from '../../src/engine';
import { EntityProvider } from '../../src/pulumi/provider';
import { specql } from '../support/cli';
import { col, index, state, table } from '../support/desired-builder';
import { createTestDatabase, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('lock');
});
afterAll(async () => {
  await db.drop();
});

test('two applies at once: the second waits, both succeed, final plan empty', async () => {
  const t = table('lk', 't', [col('id', 'integer', { notNull: true }), col('v', 'text')], {
    constraints: [{ name: 't_pkey', kind: 'primary_key', columns: ['id'] }],
  });
  const desired = state([t, index(t, 't_v_idx', ['v'])]);
  // Hold the lock from a third session so both applies must queue behind it.
  const holder = await connect(db.url);
  const { rows } = await holder.query('SELECT pg_backend_pid() AS pid');
  const held = await acquireApplyLocks(holder, ['lk']);
  const messages: string[][] = [[], []];
  const a = applyDesired(desired, { databaseUrl: db.url, onProgress: (m) => messages[0]!.push(m) });
  const b = applyDesired(desired, { databaseUrl: db.url, onProgress: (m) => messages[1]!.push(m) });
  await new Promise((r) => setTimeout(r, 500));
  for (const list of messages) expect(list.join('\n')).toContain(`another specql apply holds the lock on ${db.name}/lk (pid ${rows[0].pid}, specql); waiting up to 60 s…`);
  await held.release();
  await holder.end();
  const [ra, rb] = await Promise.all([a, b]);
  expect(ra.report.ok && rb.report.ok).toBe(true);
  // Each re-planned inside the lock: exactly one of them had work to do.
  expect([ra.plan.steps.length > 0, rb.plan.steps.length > 0].sort()).toEqual([false, true]);
  expect((await planDesired(desired, { databaseUrl: db.url })).steps).toEqual([]);
});

test('the wait is bounded: it fails naming the holder (pid, application_name, since when); the CLI exits 3', async () => {
  const t = table('lw', 't', [col('id', 'integer', { notNull: true })], { constraints: [{ name: 't_pkey', kind: 'primary_key', columns: ['id'] }] });
  const desired = state([t]);
  const holder = await connect(db.url, 'orphaned-job');
  const pid = Number((await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
  const held = await acquireApplyLocks(holder, ['lw']);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'specql-lockwait-'));
  try {
    const messages: string[] = [];
    const error = await applyDesired(desired, { databaseUrl: db.url, lockWaitMs: 1500, onProgress: (m) => messages.push(m) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LockWaitTimeoutError);
    const e = error as LockWaitTimeoutError;
    expect(e.holder?.pid).toBe(pid);
    expect(e.holder?.applicationName).toBe('orphaned-job');
    expect(e.holder?.backendStart).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(e.waitedMs).toBeGreaterThanOrEqual(1500);
    expect(e.message).toContain(`for the apply lock on ${db.name}/lw: held by pid ${pid}, application_name "orphaned-job"`);
    expect(e.message).toContain(`session started ${e.holder!.backendStart}`);
    expect(e.message).toContain(`pg_terminate_backend(${pid})`);
    expect(messages.join('\n')).toContain(`(pid ${pid}, orphaned-job); waiting up to 1500 ms…`);
    // Nothing was applied, and the timed-out session holds no lock of its own.
    expect((await holder.query(`SELECT to_regclass('lw.t') AS t`)).rows[0].t).toBeNull();

    // The CLI: --lock-wait, exit code 3, the holder named on stderr.
    writeFileSync(path.join(dir, 'r.yaml'), 'entity: Reading\nschema: lw\nfields:\n  sensor: text\n');
    const cli = await specql('apply', dir, '--database-url', db.url, '--lock-wait', '1s');
    expect(cli.code).toBe(3);
    expect(cli.stderr).toContain(`specql apply: gave up after waiting`);
    expect(cli.stderr).toContain(`held by pid ${pid}, application_name "orphaned-job"`);
    const bad = await specql('apply', dir, '--database-url', db.url, '--lock-wait', 'soon');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--lock-wait takes a duration');
  } finally {
    await held.release();
    await holder.end();
    rmSync(dir, { recursive: true, force: true });
  }
  // Once the holder is gone the same apply goes through.
  const ok = await applyDesired(desired, { databaseUrl: db.url, lockWaitMs: 1500 });
  expect(ok.report.ok).toBe(true);
});

test('durations and the Pulumi setting', async () => {
  expect([parseDuration('90s'), parseDuration('2m'), parseDuration('500ms'), parseDuration('45'), parseDuration('0'), parseDuration('1h')]).toEqual([90_000, 120_000, 500, 45_000, 0, 3_600_000]);
  expect(parseDuration('soon')).toBeNull();
  expect(parseDuration('-5s')).toBeNull();
  const check = await new EntityProvider().check(undefined, {
    entity: 'E',
    sources: [{ file: 'e.yaml', text: 'entity: E\nschema: s\nfields:\n  a: text\n' }],
    databaseUrl: '',
    settings: { premake: null, retention: null, refreshOverrides: {}, allowHazards: [], deletionPolicy: 'retain', today: null, lockWait: 'a while' },
    providerVersion: 'x',
  });
  expect(check.failures?.map((f) => f.reason)).toContain('settings.lockWait: a duration such as "90s", "2m" or "500ms", not "a while"');
});
