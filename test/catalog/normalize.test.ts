/** The shared normal form, checked against what PostgreSQL itself prints. */
import { readCatalog } from '../../src/catalog/read';
import { normalizeBoundValue, normalizeDefault, parsePartitionBound } from '../../src/catalog/normalize';
import { connect } from '../../src/db/connection';
import type { TableObject } from '../../src/model/objects';
import { createTestDatabase, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('catalog');
});
afterAll(async () => {
  await db.drop();
});

test.each([
  ["'x'::text", 'text', "'x'"],
  ["'x'::character varying", 'character varying(40)', "'x'"],
  ["'-1'::integer", 'integer', '-1'],
  ['0', 'numeric(10,2)', '0'],
  ['CURRENT_TIMESTAMP', 'timestamp with time zone', 'now()'],
  ['now()', 'timestamp with time zone', 'now()'],
  ['gen_random_uuid()', 'uuid', 'gen_random_uuid()'],
  ["('{}'::jsonb)", 'jsonb', "'{}'"],
  ['TRUE', 'boolean', 'true'],
])('normalizeDefault(%s, %s) = %s', (expr, type, expected) => {
  expect(normalizeDefault(expr, type)).toBe(expected);
});

test('bounds become UTC ISO', () => {
  expect(normalizeBoundValue("'2024-02-01 00:00:00+00'")).toBe('2024-02-01T00:00:00Z');
  expect(normalizeBoundValue("'2024-02-01 01:00:00+01'")).toBe('2024-02-01T00:00:00Z');
  expect(normalizeBoundValue("'2024-02-01'")).toBe('2024-02-01T00:00:00Z');
  expect(parsePartitionBound('DEFAULT')).toEqual({ kind: 'default' });
});

test('readCatalog: what PostgreSQL prints comes back in the model\'s normal form', async () => {
  await db.pool.query(`
    CREATE SCHEMA c;
    CREATE EXTENSION IF NOT EXISTS btree_gist;
    CREATE TABLE c.t (
      id uuid DEFAULT gen_random_uuid() NOT NULL,
      at timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL,
      code varchar(40) DEFAULT 'x',
      amount numeric(10,2) DEFAULT 0,
      q bigint GENERATED ALWAYS AS IDENTITY,
      PRIMARY KEY (id, at)
    ) PARTITION BY RANGE (at);
    SET TimeZone = 'America/Los_Angeles';
    CREATE TABLE c.t_p2024_01 PARTITION OF c.t FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 00:00:00+00');
    CREATE TABLE c.t_default PARTITION OF c.t DEFAULT;
    CREATE INDEX t_code_idx ON ONLY c.t USING gist (code, at);
    CREATE INDEX t_at_brin ON c.t USING brin (at) WITH (pages_per_range = 32);
    CREATE INDEX t_desc ON c.t (amount DESC, code text_pattern_ops);
  `);
  const client = await connect(db.url);
  try {
    const live = await readCatalog(client, ['c']);
    const t = live.objects.find((o): o is TableObject => o.kind === 'table' && o.name === 't')!;
    expect(t.columns.map((c) => [c.name, c.type, c.notNull, c.default, c.identity])).toEqual([
      ['id', 'uuid', true, 'gen_random_uuid()', false],
      ['at', 'timestamp with time zone', true, 'now()', false],
      ['code', 'character varying(40)', false, "'x'", false],
      ['amount', 'numeric(10,2)', false, '0', false],
      ['q', 'bigint', true, null, true],
    ]);
    expect(t.constraints).toEqual([{ name: 't_pkey', kind: 'primary_key', columns: ['id', 'at'] }]);
    expect(t.partitionBy).toEqual({ strategy: 'range', column: 'at' });
    const parts = live.objects.filter((o) => o.kind === 'partition');
    expect(parts).toEqual([
      { kind: 'partition', schema: 'c', name: 't_default', parent: { schema: 'c', name: 't' }, bound: { kind: 'default' } },
      { kind: 'partition', schema: 'c', name: 't_p2024_01', parent: { schema: 'c', name: 't' }, bound: { kind: 'range', from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z' } },
    ]);
    const idx = (name: string) => live.objects.find((o) => o.kind === 'index' && o.name === name);
    expect(idx('t_code_idx')).toMatchObject({ method: 'gist', partitioned: true, columns: [{ column: 'code', descending: false, opclass: null }, { column: 'at', descending: false, opclass: null }] });
    expect(live.indexFacts.get('index:c.t_code_idx')).toMatchObject({ valid: false, incomplete: true });
    expect(idx('t_at_brin')).toMatchObject({ method: 'brin', with: { pages_per_range: '32' } });
    expect(live.indexFacts.get('index:c.t_at_brin')).toMatchObject({ valid: true, incomplete: false });
    expect(idx('t_desc')).toMatchObject({ columns: [{ column: 'amount', descending: true, opclass: null }, { column: 'code', descending: false, opclass: 'text_pattern_ops' }] });
    expect(live.objects.filter((o) => o.kind === 'extension').map((o) => o.name)).toContain('btree_gist');
    expect(live.pgCron).toBe(false);
  } finally {
    await client.end();
  }
});
