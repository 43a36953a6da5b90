/**
 * Late rows: whatever waits in DEFAULT leaves it. The maintenance function
 * gives every interval holding such rows its partition (before the window's
 * start too), archives rows older than retention like their partitions, and
 * the planner then leaves those partitions alone. `specql maintain` does the
 * same and never says "Nothing to maintain" while DEFAULT holds rows.
 */
import { buildDesired } from '../../src/desired/build';
import { applyDesired, planDesired } from '../../src/engine';
import { formatPlanText } from '../../src/plan/format/text';
import { createTestDatabase, query, type TestDatabase } from '../support/db';
import { specql } from '../support/cli';
import { partitioning, salesLike, specSet } from '../support/entity-builder';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('late');
});
afterAll(async () => {
  await db?.drop();
});

const count = async (from: string): Promise<number> => (await query<{ n: number }>(db.pool, `SELECT count(*)::int AS n FROM ${from}`))[0]!.n;
const partitionOf = async (table: string, id: string): Promise<string> =>
  (await query<{ p: string }>(db.pool, `SELECT tableoid::regclass::text AS p FROM ${table} WHERE transaction_id = $1`, [id]))[0]!.p;

test('a daily table whose window starts today: yesterday\'s rows end in yesterday\'s partition, DEFAULT empty', async () => {
  const daily = salesLike({
    schema: 'late_d',
    partitioning: partitioning('transaction_date', 'daily', { start: '2024-05-10', premake: 2, retention: null }),
  });
  const desired = buildDesired(specSet(daily), { today: '2024-05-10' });
  await applyDesired(desired, { databaseUrl: db.url });
  await db.pool.query(
    `INSERT INTO late_d.sales_transaction (transaction_id, transaction_date, region, total_amount) VALUES
       ('00000000-0000-0000-0000-000000000001', '2024-05-09T23:59:59Z', 'eu', 1),
       ('00000000-0000-0000-0000-000000000002', '2024-05-09T00:00:00Z', 'eu', 2),
       ('00000000-0000-0000-0000-000000000003', '2024-05-07T12:00:00+02', 'eu', 3),
       ('00000000-0000-0000-0000-000000000004', '2024-05-10T08:00:00Z', 'eu', 4)`,
  );
  expect(await count('late_d.sales_transaction_default')).toBe(3);
  const [result] = await query<{ summary: string }>(db.pool, `SELECT late_d.sales_transaction_maintain_partitions('2024-05-10') AS summary`);
  expect(result!.summary).toBe(
    [
      'created late_d.sales_transaction_p2024_05_07 (moved 1 late rows from DEFAULT)',
      'created late_d.sales_transaction_p2024_05_09 (moved 2 late rows from DEFAULT)',
    ].join('; '),
  );
  expect(await count('late_d.sales_transaction_default')).toBe(0);
  expect(await count('late_d.sales_transaction')).toBe(4);
  expect(await partitionOf('late_d.sales_transaction', '00000000-0000-0000-0000-000000000001')).toBe('late_d.sales_transaction_p2024_05_09');
  expect(await partitionOf('late_d.sales_transaction', '00000000-0000-0000-0000-000000000003')).toBe('late_d.sales_transaction_p2024_05_07');
  // New rows of those days route straight to their partitions now.
  await db.pool.query(`INSERT INTO late_d.sales_transaction (transaction_id, transaction_date, region) VALUES (gen_random_uuid(), '2024-05-09T10:00:00Z', 'us')`);
  expect(await count('late_d.sales_transaction_default')).toBe(0);
  // The planner leaves the partitions made for late rows alone: nothing to do, nothing archived.
  const plan = await planDesired(desired, { databaseUrl: db.url });
  if (plan.steps.length) console.log(formatPlanText(plan));
  expect(plan.steps).toEqual([]);
  // A second run finds nothing.
  const [again] = await query<{ summary: string }>(db.pool, `SELECT late_d.sales_transaction_maintain_partitions('2024-05-10') AS summary`);
  expect(again!.summary).toBe('nothing to do');
});

test('monthly with retention: late rows within retention get partitions before the start, older ones go to the archive', async () => {
  const monthly = salesLike({
    schema: 'late_m',
    partitioning: partitioning('transaction_date', 'monthly', { start: '2024-05-01', premake: 1, retention: 6, archiveSchema: 'late_m_archive' }),
  });
  // Window: May..June 2024; retention cutoff 2023-11-01 (6 months before May).
  const desired = buildDesired(specSet(monthly), { today: '2024-05-15' });
  await applyDesired(desired, { databaseUrl: db.url });
  await db.pool.query(
    `INSERT INTO late_m.sales_transaction (transaction_id, transaction_date, region, total_amount)
     SELECT gen_random_uuid(), d, 'eu', 1 FROM unnest(ARRAY[
       '2024-02-10T00:00:00Z', '2024-02-11T00:00:00Z', '2023-12-31T23:00:00Z',  -- within retention
       '2023-10-05T00:00:00Z', '2023-10-06T00:00:00Z',                          -- older than retention
       '2025-03-01T00:00:00Z'                                                   -- beyond the window
     ]::timestamptz[]) AS d`,
  );
  const total = await count('late_m.sales_transaction');
  expect(await count('late_m.sales_transaction_default')).toBe(6);
  const [result] = await query<{ summary: string }>(db.pool, `SELECT late_m.sales_transaction_maintain_partitions('2024-05-15') AS summary`);
  expect(result!.summary).toBe(
    [
      'archived 2 late rows into late_m_archive.sales_transaction_p2023_10',
      'created late_m.sales_transaction_p2023_12 (moved 1 late rows from DEFAULT)',
      'created late_m.sales_transaction_p2024_02 (moved 2 late rows from DEFAULT)',
      'created late_m.sales_transaction_p2025_03 (moved 1 late rows from DEFAULT)',
    ].join('; '),
  );
  expect(await count('late_m.sales_transaction_default')).toBe(0);
  expect(await count('late_m.sales_transaction')).toBe(total - 2);
  expect(await count('late_m_archive.sales_transaction_p2023_10')).toBe(2);
  const plan = await planDesired(desired, { databaseUrl: db.url });
  if (plan.steps.length) console.log(formatPlanText(plan));
  expect(plan.steps).toEqual([]);
});

test('specql maintain moves rows out of DEFAULT instead of saying "Nothing to maintain"', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'specql-late-'));
  try {
    const file = path.join(dir, 'events.yaml');
    writeFileSync(
      file,
      [
        'entity: Reading',
        'schema: late_cli',
        'fields:',
        '  reading_id: uuid',
        '  value: numeric',
        '  taken_at: timestamptz',
        'partitioning:',
        '  strategy: RANGE',
        '  column: taken_at',
        '  intervals: [daily]',
        '  start: 2024-05-10',
        '  premake: 1',
        '',
      ].join('\n'),
    );
    const applied = await specql('apply', dir, '--database-url', db.url, '--today', '2024-05-10');
    expect(applied.code).toBe(0);
    const idle = await specql('maintain', dir, '--database-url', db.url, '--today', '2024-05-10');
    expect(idle.stdout).toContain('Nothing to maintain');
    await db.pool.query(`INSERT INTO late_cli.reading (value, taken_at) SELECT g, '2024-05-08T06:00:00Z' FROM generate_series(1, 5) g`);
    const run = await specql('maintain', dir, '--database-url', db.url, '--today', '2024-05-10');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('Nothing to maintain');
    expect(run.stdout).toContain('5 rows');
    expect(await count('late_cli.reading_default')).toBe(0);
    expect(await count('late_cli.reading_p2024_05_08')).toBe(5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
