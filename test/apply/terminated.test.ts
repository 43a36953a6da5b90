/**
 * An apply whose own backend is terminated (pg_terminate_backend, as a
 * failover would) while it waits for a lock: the CLI, a real child process,
 * exits non-zero with a clear message and the report of what ran — never
 * Node's `Unhandled 'error' event` — and the next apply converges.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect } from '../../src/db/connection';
import { compileCli, eventually, type CompiledCli } from '../support/child-cli';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let cli: CompiledCli;
let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  cli = compileCli();
  db = await createTestDatabase('terminated');
  dir = mkdtempSync(path.join(os.tmpdir(), 'specql-terminated-'));
}, 240_000);
afterAll(async () => {
  cli?.remove();
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

const spec = (extra: string): string =>
  `entity: Reading\nschema: term\nfields:\n  sensor: text\n  value: integer\n${extra}indexes:\n  - name: idx_reading_sensor\n    columns: [sensor]\n`;

async function runApply(): Promise<{ code: number | null; out: string }> {
  const p = cli.spawn(['apply', dir, '--database-url', db.url]);
  const { code } = await p.exited;
  return { code, out: p.output() };
}

test('terminating the apply backend mid-plan: exit 1, a clear message and the report; the next apply converges', async () => {
  writeFileSync(path.join(dir, 'reading.yaml'), spec(''));
  const first = await runApply();
  expect(first.out).toContain('applied');
  expect(first.code).toBe(0);

  // The next spec adds a column (ACCESS EXCLUSIVE on the table) and an index.
  writeFileSync(path.join(dir, 'reading.yaml'), spec('  note: text\n'));
  const holder = await connect(db.url, 'test holder');
  const admin = await connect(db.url, 'test admin');
  try {
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE term.reading IN ACCESS SHARE MODE');
    const p = cli.spawn(['apply', dir, '--database-url', db.url, '--lock-timeout', '20000']);
    // The apply's session waits for the lock we hold: terminate it there.
    let pid: number | null = null;
    await eventually(async () => {
      const rows = await query<{ pid: number }>(
        admin,
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'specql' AND wait_event_type = 'Lock'`,
      );
      pid = rows[0]?.pid ?? null;
      return pid !== null;
    }, 'the apply waits for the table lock');
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    const { code, signal } = await p.exited;
    const out = p.output();
    expect(signal).toBeNull();
    expect(out).not.toContain("Unhandled 'error' event");
    expect(out).not.toMatch(/^\s+at /m); // no stack trace
    expect(code).toBe(1);
    // Where it waited decides the words: in the pre-flight (nothing written) or in a step (what ran is committed).
    expect(out).toMatch(/specql apply: the apply's database session was lost (during the pre-flight \(a rolled-back rehearsal\), )?at step \d+/);
    expect(out).toContain('terminating connection due to administrator command');
    // The report: the failed step, and the ones after it not run.
    expect(out).toMatch(/^FAIL\s+\d+\. /m);
    expect(out).toMatch(/^FAILED: \d+\/\d+ steps/m);
    expect(out).toContain('run apply again to finish');
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    await holder.end().catch(() => undefined);
  }
  // The next apply finishes the work; the one after has nothing to do.
  const again = await runApply();
  expect(again.code).toBe(0);
  const cols = await query<{ attname: string }>(admin, `SELECT attname FROM pg_attribute WHERE attrelid = 'term.reading'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`);
  expect(cols.map((c) => c.attname)).toContain('note');
  const last = await runApply();
  expect(last.code).toBe(0);
  expect(last.out).toContain('No changes: the database matches the specs.');
  await admin.end();
}, 240_000);

test('terminated during a real step (a concurrent index build waiting for an old transaction): the report says what ran; the next apply cleans up', async () => {
  const extraIndex = '  - name: idx_reading_value\n    columns: [value]\n';
  writeFileSync(path.join(dir, 'reading.yaml'), spec('  note: text\n') + extraIndex);
  const holder = await connect(db.url, 'test holder');
  const admin = await connect(db.url, 'test admin');
  try {
    // An open transaction with a snapshot: CREATE INDEX CONCURRENTLY (not rehearsed by the pre-flight) waits for it.
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT count(*) FROM term.reading');
    const p = cli.spawn(['apply', dir, '--database-url', db.url]);
    let pid: number | null = null;
    await eventually(async () => {
      const rows = await query<{ pid: number }>(
        admin,
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'specql' AND wait_event_type = 'Lock' AND query ILIKE 'CREATE INDEX CONCURRENTLY%'`,
      );
      pid = rows[0]?.pid ?? null;
      return pid !== null;
    }, 'the concurrent build waits for the open transaction');
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    const { code } = await p.exited;
    const out = p.output();
    expect(out).not.toContain("Unhandled 'error' event");
    expect(code).toBe(1);
    expect(out).toMatch(/specql apply: the apply's database session was lost at step \d+ \(create btree index term\.idx_reading_value/);
    expect(out).toMatch(/^FAIL\s+\d+\. create btree index term\.idx_reading_value/m);
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    await holder.end().catch(() => undefined);
  }
  const again = await runApply();
  expect(again.code).toBe(0);
  const valid = await query<{ valid: boolean }>(admin, `SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'term.idx_reading_value'::regclass`);
  expect(valid).toEqual([{ valid: true }]);
  const last = await runApply();
  expect(last.out).toContain('No changes: the database matches the specs.');
  await admin.end();
}, 240_000);
