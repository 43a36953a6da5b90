/** The commands in-process against a real database: exit codes, refusal, outputs, idempotence. */
import { run as apply } from '../../src/cli/commands/apply';
import { run as maintain } from '../../src/cli/commands/maintain';
import { run as plan } from '../../src/cli/commands/plan';
import { createTestDatabase, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('cli');
});
afterAll(async () => {
  await db.drop();
});

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    return { code: await fn(), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

test('plan → apply → plan: detailed exit codes, outputs, then no changes', async () => {
  const url = ['--database-url', db.url, '--today', '2024-03-15'];
  const first = await capture(() => plan(['specs', ...url, '--detailed-exitcode']));
  expect(first.code).toBe(2);
  expect(first.out).toMatch(/^Plan: \d+ step\(s\)/);
  const json = await capture(() => plan(['specs', ...url, '--format', 'json']));
  expect(json.code).toBe(0);
  expect(JSON.parse(json.out).changes).toBe(true);
  const applied = await capture(() => apply(['specs', ...url]));
  expect(applied.code).toBe(0);
  expect(applied.out).toContain('Outputs:');
  expect(applied.out).toContain('SalesTransaction: analytics.sales_transaction');
  expect(applied.out).toMatch(/refresh product_performance_mv: every 1 hour/);
  const again = await capture(() => apply(['specs', ...url]));
  expect(again.out).toContain('No changes: the database matches the specs.');
  const last = await capture(() => plan(['specs', ...url, '--detailed-exitcode']));
  expect(last.code).toBe(0);
  const md = await capture(() => plan(['specs', ...url, '--format', 'markdown']));
  expect(md.out).toContain('No changes');
  const m = await capture(() => maintain(['specs', ...url]));
  expect(m.code).toBe(0);
});

test('usage errors and unknown hazards exit 1 with a message', async () => {
  expect((await capture(() => plan([]))).code).toBe(1);
  const bad = await capture(() => apply(['specs', '--database-url', db.url, '--allow-hazards', 'delete_everything']));
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('unknown hazard(s): delete_everything');
  const fmt = await capture(() => plan(['specs', '--database-url', db.url, '--format', 'yaml']));
  expect(fmt.code).toBe(1);
  expect(fmt.err).toContain('--format is text, json or markdown');
});
