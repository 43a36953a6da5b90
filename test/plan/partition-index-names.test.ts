/**
 * Issue 8 item 7: a partition's indexes are named `<partition>_<index>` (fitted to 63 bytes)
 * however the partition came to be: a fresh apply, `specql sql`, partitions the plan adds
 * later (with and without rows waiting in DEFAULT), and the maintenance function.
 */
import { applySpecs } from '../../src/engine';
import { partitionIndexName } from '../../src/desired/naming';
import { loadExpressionParser } from '../../src/model/expression';
import { renderScript } from '../../src/plan/script';
import { desiredFor } from '../../src/engine';
import { loadSpecText } from '../../src/spec/load';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

const LONG = 'idx_reading_value_with_a_name_long_enough_to_need_fitting';
const spec = (schema: string, defaultPartition = true): string => `
entity: Reading
schema: ${schema}
fields:
  id: bigint
  at: timestamptz
  value: text
indexes:
  - name: ${LONG}
    columns: [value]
  - name: idx_reading_at
    columns: [at]
    type: BRIN
partitioning:
  strategy: RANGE
  column: at
  intervals: [monthly]
  start: 2024-01-01
  premake: 1
  default_partition: ${defaultPartition}
`;

let db: TestDatabase;
let scriptDb: TestDatabase;
beforeAll(async () => {
  await loadExpressionParser();
  db = await createTestDatabase('pidx_names');
  scriptDb = await createTestDatabase('pidx_script');
});
afterAll(async () => {
  await db.drop();
  await scriptDb.drop();
});

const specsOf = (text: string) => {
  const { specs, diagnostics } = loadSpecText(text, 'reading.yaml');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return specs!;
};

/** Every (partition, parent index) → child index name, read from pg_catalog. */
async function childNames(pool: TestDatabase['pool'], schema: string): Promise<{ partition: string; parent: string; child: string }[]> {
  return query(
    pool,
    `SELECT t.relname AS partition, p.relname AS parent, c.relname AS child
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_index x ON x.indexrelid = c.oid JOIN pg_class t ON t.oid = x.indrelid
      WHERE p.relkind = 'I' AND p.relnamespace = $1::regnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = p.oid)
      ORDER BY 1, 2`,
    [schema],
  );
}

function expectOurNames(rows: { partition: string; parent: string; child: string }[], partitions: number): void {
  expect(rows.length).toBe(partitions * 2);
  for (const r of rows) expect(r.child).toBe(partitionIndexName(r.partition, r.parent));
  // The long one really was fitted (and the plpgsql mirror must agree with fitIdentifier).
  expect(rows.some((r) => r.parent === LONG && Buffer.byteLength(`${r.partition}_${r.parent}`) > 63)).toBe(true);
}

test('fresh apply, partitions added online (with and without rows in DEFAULT), and the maintenance function all name them <partition>_<index>', async () => {
  const s = 'pin_a';
  const specs = specsOf(spec(s));
  await applySpecs(specs, { databaseUrl: db.url, today: '2024-02-15' }); // 2024_01 … 2024_03 + default
  expectOurNames(await childNames(db.pool, s), 4);
  // Rows for May wait in DEFAULT; April has none: both ways of adding a partition online.
  await db.pool.query(`INSERT INTO ${s}.reading (id, at, value) SELECT g, timestamptz '2024-05-03 00:00:00+00' + g * interval '1 minute', 'v' FROM generate_series(1, 50) g`);
  await applySpecs(specs, { databaseUrl: db.url, today: '2024-04-15' }); // + 2024_04, 2024_05
  expectOurNames(await childNames(db.pool, s), 6);
  // The maintenance function: rows for August wait in DEFAULT; June, July and September are empty.
  await db.pool.query(`INSERT INTO ${s}.reading (id, at, value) VALUES (999, '2024-08-10 00:00:00+00', 'late')`);
  await db.pool.query(`SELECT ${s}.reading_maintain_partitions('2024-08-15')`);
  expectOurNames(await childNames(db.pool, s), 10); // + 2024_06 … 2024_09 (premake 1)
  // Without a DEFAULT partition too.
  const t = 'pin_b';
  const noDefault = specsOf(spec(t, false));
  await applySpecs(noDefault, { databaseUrl: db.url, today: '2024-02-15' });
  await applySpecs(noDefault, { databaseUrl: db.url, today: '2024-03-15' });
  await db.pool.query(`SELECT ${t}.reading_maintain_partitions('2024-05-15')`);
  expectOurNames(await childNames(db.pool, t), 6);
});

test('specql sql names them the same way', async () => {
  const s = 'pin_c';
  const desired = desiredFor(specsOf(spec(s)), { databaseUrl: scriptDb.url, today: '2024-02-15' }, false);
  await scriptDb.pool.query(renderScript(desired));
  expectOurNames(await childNames(scriptDb.pool, s), 4);
});
