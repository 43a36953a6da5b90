/** The commands in-process against a real database: exit codes, refusal, outputs, idempotence. */
import { specql } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('cli');
});
afterAll(async () => {
  await db.drop();
});

test('plan → apply → plan: detailed exit codes, outputs, then no changes', async () => {
  const url = ['--database-url', db.url, '--today', '2024-03-15'];
  const first = await specql('plan', 'specs', ...url, '--detailed-exitcode');
  expect(first.code).toBe(2);
  expect(first.stdout).toMatch(/^Plan: \d+ step\(s\)/);
  const json = await specql('plan', 'specs', ...url, '--format', 'json');
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout).changes).toBe(true);
  const applied = await specql('apply', 'specs', ...url);
  expect(applied.code).toBe(0);
  expect(applied.stdout).toContain('Outputs:');
  expect(applied.stdout).toContain('SalesTransaction: analytics.sales_transaction');
  expect(applied.stdout).toMatch(/refresh product_performance_mv: every 1 hour/);
  expect(applied.stdout).toContain(
    'partition maintenance: analytics.sales_transaction_maintain_partitions() daily (5 0 * * * GMT) by specql worker (SELECT analytics.sales_transaction_maintain_partitions();)',
  );
  expect(applied.stdout).toContain(
    'drain update_performance_metrics_queue: analytics.update_performance_metrics_process(10000) until 0, by specql worker (on NOTIFY specql_queue)',
  );
  expect(applied.stdout).toContain('Run `specql worker <specs>`');
  const again = await specql('apply', 'specs', ...url);
  expect(again.stdout).toContain('No changes: the database matches the specs.');
  const last = await specql('plan', 'specs', ...url, '--detailed-exitcode');
  expect(last.code).toBe(0);
  const md = await specql('plan', 'specs', ...url, '--format', 'markdown');
  expect(md.stdout).toContain('No changes');
  const m = await specql('maintain', 'specs', ...url);
  expect(m.code).toBe(0);
});

test('usage errors and unknown hazards exit 1 with a message', async () => {
  expect((await specql('plan')).code).toBe(1);
  const bad = await specql('apply', 'specs', '--database-url', db.url, '--allow-hazards', 'delete_everything');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('unknown hazard(s): delete_everything');
  const fmt = await specql('plan', 'specs', '--database-url', db.url, '--format', 'yaml');
  expect(fmt.code).toBe(1);
  expect(fmt.stderr).toContain('--format is text, json or markdown');
});
