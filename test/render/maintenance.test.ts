/**
 * The partition maintenance function against real rows: rows waiting in
 * DEFAULT are moved into the partition created for them, retention detaches a
 * populated partition into the archive schema with every row kept, and the
 * names it invents at runtime are the ones naming.ts computes.
 */
import { buildDesired } from '../../src/desired/build';
import { defaultPartitionName, maintainPartitionsFunctionName, partitionName } from '../../src/desired/naming';
import { createTestDatabase, parentIndexes, query, type TestDatabase } from '../support/db';
import { runFreshScript } from '../../src/engine/fresh';
import { entity, field, index, partitioning, salesLike, specSet } from '../support/entity-builder';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('maintain');
});
afterAll(async () => {
  await db?.drop();
});

async function count(sql: string): Promise<number> {
  const [row] = await query<{ n: number }>(db.pool, `SELECT count(*)::int AS n FROM ${sql}`);
  return row!.n;
}

async function partitionsOf(table: string): Promise<string[]> {
  const rows = await query<{ name: string }>(
    db.pool,
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = $1::regclass ORDER BY 1`,
    [table],
  );
  return rows.map((r) => r.name);
}

describe('monthly table with DEFAULT partition and 3 months retention', () => {
  beforeAll(async () => {
    const desired = buildDesired(specSet(salesLike({ schema: 'm1' })), { today: '2024-03-15', retention: 3 });
    await runFreshScript(db.pool, desired);
    const insert = (when: string, n: number): Promise<unknown> =>
      db.pool.query(
        `INSERT INTO m1.sales_transaction (transaction_id, transaction_date, region, total_amount)
         SELECT gen_random_uuid(), $1::timestamptz + g * interval '1 minute', 'eu', g FROM generate_series(1, $2) g`,
        [when, n],
      );
    await insert('2024-01-10T00:00:00Z', 5);
    await insert('2024-02-10T00:00:00Z', 4);
    await insert('2024-07-03T00:00:00Z', 3); // DEFAULT: no July partition yet
    await insert('2024-08-20T00:00:00Z', 2); // DEFAULT
    await insert('2031-01-01T00:00:00Z', 1); // DEFAULT, far outside any window
  });

  test('rows outside the window wait in DEFAULT before maintenance', async () => {
    expect(await count('m1.sales_transaction_default')).toBe(6);
  });

  test('maintenance moves DEFAULT rows into new partitions and archives the expired one, losing nothing', async () => {
    const before = await count('m1.sales_transaction');
    const [result] = await query<{ summary: string }>(db.pool, `SELECT m1.sales_transaction_maintain_partitions('2024-05-10') AS summary`);
    expect(result!.summary).toBe(
      [
        'archived m1.sales_transaction_p2024_01 into analytics_archive',
        'created m1.sales_transaction_p2024_07 (moved 3 rows from DEFAULT)',
        'created m1.sales_transaction_p2024_08 (moved 2 rows from DEFAULT)',
        // Far outside the window, but within retention: it gets its own partition (late rows).
        'created m1.sales_transaction_p2031_01 (moved 1 late rows from DEFAULT)',
      ].join('; '),
    );
    // Partitions now cover Feb..Aug (May + 3 ahead) and January 2031; January 2024 lives on, whole, in the archive schema.
    expect(await partitionsOf('m1.sales_transaction')).toEqual([
      'sales_transaction_default',
      'sales_transaction_p2024_02',
      'sales_transaction_p2024_03',
      'sales_transaction_p2024_04',
      'sales_transaction_p2024_05',
      'sales_transaction_p2024_06',
      'sales_transaction_p2024_07',
      'sales_transaction_p2024_08',
      'sales_transaction_p2031_01',
    ]);
    // The function's window is the generator's window for the same day (plus the late rows' partition).
    const later = buildDesired(specSet(salesLike({ schema: 'm1' })), { today: '2024-05-10', retention: 3 });
    const expected = later.objects.filter((o) => o.kind === 'partition').map((o) => (o as { name: string }).name);
    expect(await partitionsOf('m1.sales_transaction')).toEqual([...expected, 'sales_transaction_p2031_01'].sort());
    expect(await count('analytics_archive.sales_transaction_p2024_01')).toBe(5);
    expect(await count('m1.sales_transaction_p2024_07')).toBe(3);
    expect(await count('m1.sales_transaction_p2024_08')).toBe(2);
    expect(await count('m1.sales_transaction_default')).toBe(0);
    expect(await count('m1.sales_transaction_p2031_01')).toBe(1);
    expect(await count('m1.sales_transaction')).toBe(before - 5);
    expect((await count('m1.sales_transaction')) + (await count('analytics_archive.sales_transaction_p2024_01'))).toBe(before);
  });

  test('new partitions carry every parent index, which stay valid', async () => {
    const parents = await parentIndexes(db.pool, 'm1.sales_transaction');
    expect(parents).toHaveLength(4);
    for (const parent of parents) expect(parent).toMatchObject({ valid: true, children: 9 });
  });

  test('new rows for a created range land in its partition; a second run has nothing to do', async () => {
    await db.pool.query(
      `INSERT INTO m1.sales_transaction (transaction_id, transaction_date) VALUES (gen_random_uuid(), '2024-08-31T23:59:59Z')`,
    );
    expect(await count('m1.sales_transaction_p2024_08')).toBe(3);
    const [again] = await query<{ summary: string }>(db.pool, `SELECT m1.sales_transaction_maintain_partitions('2024-05-10') AS summary`);
    expect(again!.summary).toBe('nothing to do');
  });

  test('the caller keeps its own lock_timeout after the call', async () => {
    const client = await db.pool.connect();
    try {
      await client.query(`SET lock_timeout = '1min'`);
      await client.query(`SET datestyle = 'SQL, DMY'`);
      await client.query(`SET TIME ZONE 'America/Los_Angeles'`);
      await client.query('BEGIN');
      const { rows: result } = await client.query<{ summary: string }>(
        `SELECT m1.sales_transaction_maintain_partitions('2024-06-11') AS summary`,
      );
      const { rows } = await client.query<{ t: string; d: string }>(
        `SELECT current_setting('lock_timeout') AS t, current_setting('datestyle') AS d`,
      );
      await client.query('COMMIT');
      expect(rows[0]).toEqual({ t: '1min', d: 'SQL, DMY' });
      // Bounds are read correctly whatever the session's DateStyle and time zone.
      expect(result[0]!.summary).toBe(
        'archived m1.sales_transaction_p2024_02 into analytics_archive; created m1.sales_transaction_p2024_09',
      );
    } finally {
      client.release();
    }
  });
});

describe('long table names and weekly partitions', () => {
  const table = 'a_very_long_table_name_for_weekly_sensor_readings_of_many_kinds'; // 63 bytes
  const longEntity = entity({
    entity: 'Readings',
    schema: 'w1',
    table,
    fields: [field('reading_id', 'bigint'), field('taken_at', 'timestamp with time zone'), field('kind', 'text')],
    primaryKey: ['reading_id', 'taken_at'],
    indexes: [index('idx_readings_kind_taken_at', 'btree', ['kind', 'taken_at'])],
    partitioning: partitioning('taken_at', 'weekly', { start: '2024-03-04', premake: 1, retention: null }),
  });

  test('generated and maintained partition names are shortened the same way, distinct, within 63 bytes', async () => {
    const desired = buildDesired(specSet(longEntity), { today: '2024-03-06' });
    await runFreshScript(db.pool, desired);
    const fn = maintainPartitionsFunctionName('w1', table);
    expect(fn.name.length).toBeLessThanOrEqual(63);
    await db.pool.query(
      `INSERT INTO w1.${table} (reading_id, taken_at, kind) VALUES (1, '2024-03-27T12:00:00+02:00', 'x')`,
    );
    const [result] = await query<{ summary: string }>(db.pool, `SELECT w1.${fn.name}('2024-03-20') AS summary`);
    // Weeks start on Monday: 2024-03-04, 11 (generated), 18, 25 (maintenance).
    const expected = ['2024-03-04', '2024-03-11', '2024-03-18', '2024-03-25'].map((from) => partitionName(table, 'weekly', from));
    expect(new Set(expected).size).toBe(4);
    for (const name of expected) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(await partitionsOf(`w1.${table}`)).toEqual([...expected, defaultPartitionName(table)].sort());
    expect(result!.summary).toContain(`(moved 1 rows from DEFAULT)`);
    expect(await count(`w1."${expected[3]}"`)).toBe(1);
  });
});

describe('a table without DEFAULT partition', () => {
  test('maintenance creates partitions ahead without touching any DEFAULT', async () => {
    const spec = salesLike({
      schema: 'n1',
      // btree_gist already exists in this database (first describe); the script creates it unconditionally.
      indexes: [index('idx_n1_date', 'brin', ['transaction_date'])],
      partitioning: partitioning('transaction_date', 'daily', { start: '2024-03-01', premake: 2, retention: 2, defaultPartition: false, archiveSchema: 'n1_archive' }),
    });
    const desired = buildDesired(specSet(spec), { today: '2024-03-03' });
    expect(desired.objects.some((o) => o.kind === 'partition' && o.bound.kind === 'default')).toBe(false);
    await runFreshScript(db.pool, desired);
    expect(await partitionsOf('n1.sales_transaction')).toEqual(
      ['01', '02', '03', '04', '05'].map((d) => `sales_transaction_p2024_03_${d}`),
    );
    await db.pool.query(`INSERT INTO n1.sales_transaction (transaction_id, transaction_date) VALUES (gen_random_uuid(), '2024-03-01T10:00:00Z')`);
    const [result] = await query<{ summary: string }>(db.pool, `SELECT n1.sales_transaction_maintain_partitions('2024-03-05') AS summary`);
    expect(result!.summary).toBe(
      [
        'archived n1.sales_transaction_p2024_03_01 into n1_archive',
        'archived n1.sales_transaction_p2024_03_02 into n1_archive',
        'created n1.sales_transaction_p2024_03_06',
        'created n1.sales_transaction_p2024_03_07',
      ].join('; '),
    );
    expect(await count('n1_archive.sales_transaction_p2024_03_01')).toBe(1);
  });
});

describe('a concurrent INSERT during maintenance', () => {
  test('waits for the maintenance transaction, then lands in the partition it created', async () => {
    const spec = salesLike({
      schema: 'c1',
      partitioning: partitioning('transaction_date', 'monthly', { premake: 3, retention: 36, archiveSchema: 'c1_archive' }),
    });
    const desired = buildDesired(specSet(spec), { today: '2024-03-15' });
    // Other tests in this database may have created btree_gist; the fresh-database script creates it unconditionally.
    await db.pool.query('CREATE EXTENSION IF NOT EXISTS btree_gist');
    await runFreshScript(db.pool, { ...desired, objects: desired.objects.filter((o) => o.kind !== 'extension') });
    await db.pool.query(`INSERT INTO c1.sales_transaction (transaction_id, transaction_date) VALUES (gen_random_uuid(), '2024-07-02T00:00:00Z')`);

    const maintainer = await db.pool.connect();
    const writer = await db.pool.connect();
    try {
      await maintainer.query('BEGIN');
      const [result] = (await maintainer.query<{ summary: string }>(`SELECT c1.sales_transaction_maintain_partitions('2024-05-10') AS summary`)).rows;
      expect(result!.summary).toBe('created c1.sales_transaction_p2024_07 (moved 1 rows from DEFAULT); created c1.sales_transaction_p2024_08');
      const writerPid = (await writer.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const insert = writer.query(
        `INSERT INTO c1.sales_transaction (transaction_id, transaction_date) VALUES (gen_random_uuid(), '2024-07-15T00:00:00Z')`,
      );
      // Wait (no time limit but jest's) until the writer is blocked on a lock held by the maintainer.
      for (;;) {
        const { rows } = await db.pool.query<{ waiting: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted) AS waiting`,
          [writerPid],
        );
        if (rows[0]!.waiting) break;
      }
      await maintainer.query('COMMIT');
      await insert;
    } finally {
      maintainer.release();
      writer.release();
    }
    expect(await count('c1.sales_transaction_p2024_07')).toBe(2);
    expect(await count('c1.sales_transaction_default')).toBe(0);
  });
});
