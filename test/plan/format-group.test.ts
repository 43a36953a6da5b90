/**
 * The PR view: steps repeated per partition read as one line. specs/ is applied
 * to a real database, an index is added to the partitioned table, and
 * `specql plan --format markdown|text` (and the Entity's plannedSql) must show
 * one grouped entry for the per-partition builds and attaches, with every
 * statement still present below it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applySpecs, planSpecs } from '../../src/engine';
import { groupSteps } from '../../src/plan/format/group';
import { loadExpressionParser, loadSpecSources } from '../../src/spec/load';
import * as adapter from '../../src/pulumi/engine-adapter';
import { specql } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/db';

const TODAY = '2024-03-15';
let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  await loadExpressionParser();
  db = await createTestDatabase('plan_group');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'specql-group-'));
  fs.cpSync('specs', dir, { recursive: true });
  const loaded = loadSpecSources(sourcesIn(dir));
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const applied = await applySpecs(loaded.specs, { databaseUrl: db.url, today: TODAY });
  expect(applied.report.ok).toBe(true);
  const file = path.join(dir, 'sales_analytics.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\nindexes:\n/, '\nindexes:\n  - name: idx_sales_payment_method\n    columns: [payment_method]\n'));
});

afterAll(async () => {
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function sourcesIn(d: string) {
  return fs
    .readdirSync(d)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ file: path.join(d, f), text: fs.readFileSync(path.join(d, f), 'utf8') }));
}

async function plan() {
  const loaded = loadSpecSources(sourcesIn(dir));
  return (await planSpecs(loaded.specs, { databaseUrl: db.url, today: TODAY })).plan;
}

test('groupSteps: the per-partition build + attach of the new index is one group covering every partition', async () => {
  const p = await plan();
  const perPartition = p.steps.filter((s) => s.partition && s.object === 'index:analytics.idx_sales_payment_method');
  const partitions = new Set(perPartition.map((s) => s.partition!.name));
  expect(partitions.size).toBeGreaterThan(3);
  expect(perPartition.filter((s) => s.action === 'build')).toHaveLength(partitions.size);
  expect(perPartition.filter((s) => s.action === 'attach')).toHaveLength(partitions.size);

  const groups = groupSteps(p.steps);
  // Every step is in exactly one group, in plan order.
  expect(groups.flatMap((g) => g.steps)).toEqual(p.steps);
  const grouped = groups.filter((g) => g.steps.length > 1);
  expect(grouped).toHaveLength(1);
  const g = grouped[0]!;
  expect(g.steps).toEqual(perPartition);
  expect(g.partitions).toBe(partitions.size);
  expect(g.summary).toBe(`create index analytics.idx_sales_payment_method concurrently on ${partitions.size} partitions, then attach`);
  expect(g.mode).toBe('mixed');
  expect(g.hazards).toEqual(expect.arrayContaining(['index_build', 'access_exclusive_lock']));
  // The ON ONLY parent index stays its own entry, before the group.
  const parent = groups[groups.indexOf(g) - 1]!;
  expect(parent.steps).toHaveLength(1);
  expect(parent.steps[0]!.sql).toContain('ON ONLY analytics.sales_transaction');
});

test('specql plan --format markdown: one table row for the group, all statements in the folded SQL', async () => {
  const p = await plan();
  const n = p.steps.filter((s) => s.partition && s.object === 'index:analytics.idx_sales_payment_method').length / 2;
  const r = await specql('plan', dir, '--database-url', db.url, '--format', 'markdown', '--today', TODAY);
  expect(r.stderr).toBe('');
  const rows = r.stdout.split('\n').filter((l) => /^\| \d/.test(l));
  expect(rows).toHaveLength(p.steps.length - 2 * n + 1);
  const row = rows.find((l) => l.includes('on ' + n + ' partitions'))!;
  expect(row).toMatch(new RegExp(`^\\| \\d+–\\d+ \\| create index analytics\\.idx_sales_payment_method concurrently on ${n} partitions, then attach \\| ACCESS EXCLUSIVE \\| concurrent \\+ transaction \\|`));
  const details = r.stdout.slice(r.stdout.indexOf('<details>'));
  expect(details).toContain('</details>');
  for (const s of p.steps) expect(details).toContain(s.sql);
});

test('specql plan --format text: the group is one numbered entry with its statements below', async () => {
  const p = await plan();
  const n = p.steps.filter((s) => s.partition && s.object === 'index:analytics.idx_sales_payment_method').length / 2;
  const r = await specql('plan', dir, '--database-url', db.url, '--today', TODAY);
  expect(r.stdout).toMatch(new RegExp(`\\n +\\d+-\\d+\\. create index analytics\\.idx_sales_payment_method concurrently on ${n} partitions, then attach\\n`));
  const entries = r.stdout.split('\n').filter((l) => /^ {0,2}\d+(-\d+)?\. /.test(l));
  expect(entries).toHaveLength(p.steps.length - 2 * n + 1);
  for (const s of p.steps) for (const line of s.sql.split('\n')) expect(r.stdout).toContain(`     | ${line}`);
});

test("the Entity's plannedSql: a summary line before the partition statements, every statement kept", async () => {
  const loaded = loadSpecSources(sourcesIn(dir));
  const planned = await adapter.plan(loaded.specs, { databaseUrl: db.url, today: TODAY, entities: ['SalesTransaction'] });
  const text = planned.sql.join('\n');
  expect(text).toMatch(/\n-- \d+-\d+\. create index analytics\.idx_sales_payment_method concurrently on \d+ partitions, then attach \[hazards: [a-z_, ]+\]:\n-- \d+\. create index/);
  const steps = planned.steps as { sql: string }[];
  for (const s of steps) expect(text).toContain(s.sql.trimEnd());
});
