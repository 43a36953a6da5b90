/** The shared normal form, checked against what PostgreSQL itself prints. */
import { readCatalog } from '../../src/catalog/read';
import { canonicalDefault, canonicalNumber, normalizeBoundValue, parsePartitionBound } from '../../src/catalog/normalize';
import { loadExpressionParser } from '../../src/model/expression';
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

beforeAll(() => loadExpressionParser());

/** [column type, as written in a spec, as PostgreSQL 15–18 print it (pg_get_expr), canonical form of both] */
test.each([
  ['text', "'new'", "'new'::text", "'new'"],
  ['text', "upper('new')", "upper('new'::text)", "upper('new')"],
  ['character varying(20)', "'pending'", "'pending'::character varying", "'pending'"],
  ['timestamp with time zone', 'now()', 'now()', 'now()'],
  ['timestamp with time zone', 'CURRENT_TIMESTAMP', 'CURRENT_TIMESTAMP', 'current_timestamp'],
  ['date', "(now() AT TIME ZONE 'UTC')::date", "((now() AT TIME ZONE 'UTC'::text))::date", "(now() AT TIME ZONE 'UTC')::date"],
  ['timestamp with time zone', "timezone('UTC', now())", "timezone('UTC'::text, now())", "timezone('UTC', now())"],
  ['timestamp with time zone', "now() + interval '1 day'", "(now() + '1 day'::interval)", "now() + '1 day'::\"interval\""],
  ['date', "'2024-01-01'", "'2024-01-01'::date", "'2024-01-01'"],
  ['integer', '-1', "'-1'::integer", '-1'],
  ['bigint', '-1', "'-1'::integer", '-1'],
  ['integer', "'5'", '5', '5'],
  ['numeric', '1e3', "'1000'::numeric", '1000'],
  ['numeric(10,2)', '-1.5', "'-1.5'::numeric", '-1.5'],
  ['numeric(10,2)', "'1.50'", '1.50', '1.50'],
  ['double precision', '-0.5', "'-0.5'::numeric", '-0.5'],
  ['boolean', "'t'", 'true', 'true'],
  ['boolean', 'FALSE', 'false', 'false'],
  ['jsonb', "'{}'", "'{}'::jsonb", "'{}'"],
  ['text', "coalesce(NULL, 'x')", "COALESCE(NULL::text, 'x'::text)", "COALESCE(NULL, 'x')"],
  ['integer', 'abs(-3)', "abs('-3'::integer)", 'abs(-3)'],
  ['text', "position('a' in 'abc')::text", "(POSITION(('a'::text) IN ('abc'::text)))::text", "POSITION('a' IN 'abc')::text"],
  ['integer', 'CASE WHEN true THEN 1 ELSE 2 END', '\nCASE\n    WHEN true THEN 1\n    ELSE 2\nEND', 'CASE WHEN true THEN 1 ELSE 2 END'],
  ['bigint', '(1)::bigint', '(1)::bigint', '1::int8'],
])('%s: %s and %s are both %s', (type, written, printed, canonical) => {
  expect(canonicalDefault(written, type)).toBe(canonical);
  expect(canonicalDefault(printed, type)).toBe(canonical);
});

test('no default, NULL and a typed NULL are all "no default" (PostgreSQL stores none)', () => {
  expect(canonicalDefault(null, 'text')).toBeNull();
  expect(canonicalDefault('NULL', 'text')).toBeNull();
  expect(canonicalDefault('NULL::text', 'text')).toBeNull();
});

test('casts that change a value are kept: the comparison never equates different defaults', () => {
  expect(canonicalDefault("'1 day'::interval", 'interval')).not.toBe(canonicalDefault("'1 hour'::interval", 'interval'));
  expect(canonicalDefault("'2024-01-01'::date + 1", 'date')).not.toBe(canonicalDefault("'2024-01-01'::timestamp + 1", 'date'));
  expect(canonicalDefault("'abc'::varchar(2)", 'text')).not.toBe(canonicalDefault("'abc'", 'text')); // the typmod truncates
  expect(canonicalDefault('0', 'integer')).not.toBe(canonicalDefault('1', 'integer'));
});

test.each([
  ['-1', '-1'],
  ['1e3', '1000'],
  ['1.50', '1.50'],
  ['1.5e-2', '0.015'],
  ['.5', '0.5'],
  ['5.', '5'],
  ['-0', '0'],
  ['007', '7'],
  ['abc', null],
  ['1e', null],
])('canonicalNumber(%s) = %s (numeric output form)', (text, expected) => {
  expect(canonicalNumber(text)).toBe(expected);
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
      ['at', 'timestamp with time zone', true, 'current_timestamp', false],
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
