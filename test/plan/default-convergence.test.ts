/**
 * No converging re-plan: every allowed default form applies and then plans
 * empty. PostgreSQL prints defaults in its own words (pg_get_expr); most
 * differ only in ways the tree canonicalisation undoes (src/catalog/normalize.ts),
 * the rest — typed constants whose output form differs from their input — are
 * resolved by asking the server (src/catalog/defaults.ts). Both are checked
 * here, on whichever PostgreSQL the run uses (`npm run test:versions`: 16–18).
 */
import { canonicalDefault } from '../../src/catalog/normalize';
import { applySpecs, planSpecs } from '../../src/engine';
import { loadExpressionParser } from '../../src/model/expression';
import { loadSpecSources } from '../../src/spec/load';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

/** [type, default as written]: the forms the allow-list accepts, as people write them. */
const TREE_FORMS: readonly [string, string][] = [
  ['text', "'new'"], ['text', "upper('new')"], ['text', "lower('X')"], ['varchar(20)', "'pending'"], ['varchar(20)', "upper('new')"],
  ['timestamptz', 'now()'], ['timestamptz', 'CURRENT_TIMESTAMP'], ['timestamptz', 'current_timestamp(3)'], ['timestamptz', 'transaction_timestamp()'],
  ['timestamptz', 'statement_timestamp()'], ['timestamptz', 'clock_timestamp()'], ['timestamp', 'LOCALTIMESTAMP'], ['timestamp', 'LOCALTIMESTAMP(0)'],
  ['timestamp', "now() AT TIME ZONE 'UTC'"], ['date', "(now() AT TIME ZONE 'UTC')::date"], ['date', 'CURRENT_DATE'], ['date', "'2024-01-01'"],
  ['date', "'2024-01-01'::date"], ['date', 'CURRENT_DATE + 1'], ['date', "date '2024-01-01'"], ['date', 'make_date(2024, 1, 1)'],
  ['timestamptz', "now() + interval '1 day'"], ['timestamptz', "now() - interval '30 days'"], ['timestamptz', "'2024-01-01 10:00:00+00'"],
  ['timestamptz', "date_trunc('day', now())"], ['timestamptz', "timezone('UTC', now())"], ['timestamptz', "'infinity'"], ['interval', "'1 day'"],
  ['uuid', 'gen_random_uuid()'], ['uuid', "md5('x')::uuid"], ['integer', '0'], ['integer', '-1'], ['integer', "'-1'"], ['integer', "'5'"], ['integer', '1 + 2'],
  ['integer', 'abs(-3)'], ['integer', 'greatest(1, 2)'], ['integer', 'CASE WHEN true THEN 1 ELSE 2 END'], ['integer', "length('abc')"],
  ['integer', "position('a' in 'abc')"], ['integer', 'NULLIF(1, 2)'], ['integer', '2147483648 - 1'], ['bigint', '0'], ['bigint', '-1'],
  ['bigint', '10000000000'], ['bigint', '(1)::bigint'], ['bigint', 'extract(epoch from now())::bigint'], ['smallint', '1'], ['numeric(10,2)', '0'],
  ['numeric(10,2)', '0.00'], ['numeric(10,2)', '-1.5'], ['numeric(10,2)', "'1.50'"], ['numeric(10,2)', 'round(1.234, 2)'], ['numeric(10,2)', '0::numeric'],
  ['numeric(10,2)', "'NaN'"], ['numeric(12,2)', 'round(random()::numeric, 2)'], ['numeric', '1e3'], ['numeric', 'extract(epoch from now())'],
  ['real', '1.5'], ['double precision', '-0.5'], ['double precision', 'random()'], ['double precision', "date_part('epoch', now())"],
  ['boolean', 'true'], ['boolean', 'FALSE'], ['boolean', "'t'"], ['boolean', "'yes'"], ['boolean', '1 < 2'], ['boolean', 'NOT false'],
  ['jsonb', "'{}'"], ['jsonb', "'{}'::jsonb"], ['jsonb', `'{"a": 1}'`], ['jsonb', "'[]'::jsonb"], ['text', "''"], ['text', "'it''s'"],
  ['text', "E'a\\\\nb'"], ['text', "'x' || 'y'"], ['text', "concat('a', 'b')"], ['text', "coalesce(NULL, 'x')"], ['text', '5'], ['text', "'5'::text"],
  ['text', "md5('x')"], ['text', "'caf\\u00e9'"], ['text', "'😀'"], ['text', '$$dollar$$'], ['text', "'a' || 1"], ['text', "to_char(now(), 'YYYY')"],
  ['text', "substring('abc' from 1 for 2)"], ['text', "trim('  x ')"], ['text', 'gen_random_uuid()::text'], ['text', "'n\u200be\u202ew'"],
];

/** Forms whose printed constant differs from the written one in its value's spelling: only the server can say they are equal. */
const SERVER_FORMS: readonly [string, string][] = [
  ['interval', "'1 week'"], // '7 days'::interval
  ['interval', "interval '1 hour'"], // '01:00:00'::interval
  ['interval', "'24 hours'"], // '24:00:00'::interval
  ['jsonb', `'{"a":1}'`], // '{"a": 1}'::jsonb
  ['uuid', "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'"], // lower case
  ['timestamptz', "now() + '1 day'"], // the constant gets its resolved type: '1 day'::interval
];

const yamlEntity = (forms: readonly [string, string][]): string =>
  [
    'entity: Defaults',
    'schema: defaults',
    'fields:',
    '  id: bigint',
    ...forms.map(([type, expression], i) => `  d${String(i).padStart(3, '0')}: { type: ${JSON.stringify(type)}, default: ${JSON.stringify(expression)} }`),
    '',
  ].join('\n');

let db: TestDatabase;
beforeAll(async () => {
  await loadExpressionParser();
  db = await createTestDatabase('defaults');
});
afterAll(async () => {
  await db.drop();
});

test('every allowed default form applies, then plans empty; the canonical trees alone match all but the server-spelled constants', async () => {
  const forms = [...TREE_FORMS, ...SERVER_FORMS];
  const { specs, diagnostics } = loadSpecSources([{ file: 'defaults.yaml', text: yamlEntity(forms) }]);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const opts = { databaseUrl: db.url, today: '2024-03-15' };

  await applySpecs(specs, opts);
  const again = await planSpecs(specs, opts);
  expect(again.plan.steps.map((s) => s.sql)).toEqual([]);
  expect(again.plan.diagnostics).toEqual([]);

  // Which columns needed the server: exactly the constants it re-spells.
  const printed = await query<{ name: string; type: string; printed: string }>(
    db.pool,
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, pg_get_expr(d.adbin, d.adrelid) AS printed
       FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = 'defaults.defaults'::regclass ORDER BY a.attnum`,
  );
  const table = specs.entities[0]!;
  const treeOnlyDiffers = printed
    .filter((row) => canonicalDefault(table.fields.find((f) => f.name === row.name)!.default, row.type) !== canonicalDefault(row.printed, row.type))
    .map((row) => forms[Number(row.name.slice(1))]);
  expect(treeOnlyDiffers).toEqual(SERVER_FORMS);
});

test('a changed default is planned once — as the deparser spells it — then converges again', async () => {
  const forms: [string, string][] = [...TREE_FORMS, ...SERVER_FORMS];
  const week = TREE_FORMS.length; // interval '1 week'
  forms[0] = ['text', "'newer'"];
  forms[week] = ['interval', "interval '2 weeks'"];
  const { specs } = loadSpecSources([{ file: 'defaults.yaml', text: yamlEntity(forms) }]);
  const opts = { databaseUrl: db.url, today: '2024-03-15' };
  const first = await planSpecs(specs, opts);
  expect(first.plan.steps.map((s) => s.sql)).toEqual([
    "ALTER TABLE defaults.defaults ALTER COLUMN d000 SET DEFAULT 'newer';",
    `ALTER TABLE defaults.defaults ALTER COLUMN d${String(week).padStart(3, '0')} SET DEFAULT '2 weeks'::interval;`,
  ]);
  await applySpecs(specs, opts);
  expect((await planSpecs(specs, opts)).plan.steps).toEqual([]);
});
