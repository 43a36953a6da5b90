/** The allow-list every spec expression passes before it is deparsed, on the real PostgreSQL parser. */
import { loadExpressionParser, parseExpression, type ExpressionTree } from '../../src/model/expression';
import {
  ALLOWED_CAST_TYPES,
  ALLOWED_OPERATORS,
  CLOCK_FUNCTIONS,
  PURE_FUNCTIONS,
  RANDOM_FUNCTIONS,
  checkExpression,
  conditionEqualities,
  rowAliasOf,
  type ExpressionScope,
} from '../../src/spec/expressions';

beforeAll(() => loadExpressionParser());

const tree = (text: string): ExpressionTree => {
  const parsed = parseExpression(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.tree;
};

const workflow: ExpressionScope = { columns: ['a', 'b'], row: { alias: 'transaction', fields: ['x'], trigger: 'transaction_inserted' }, context: 'workflow' };
const view: ExpressionScope = { columns: ['a'], row: null, context: 'view' };
const defaults: ExpressionScope = { columns: [], row: null, context: 'default' };
const kinds = (text: string, scope: ExpressionScope) => checkExpression(tree(text), scope).map((p) => [p.kind, p.offset, p.name]);

test('scope: columns, the row alias, allow-listed functions', () => {
  expect(
    checkExpression(
      tree("GREATEST(a, transaction.x) + COALESCE(b, 0) + ROUND(ABS(a), 2) + EXTRACT(EPOCH FROM a) + NULLIF(b, 0) + CASE WHEN a > 0 THEN 1 ELSE 2 END + a::numeric + date_trunc('day', b)::int"),
      workflow,
    ),
  ).toEqual([]);
  expect(kinds('c + transaction.y + t.a + sum(a) + now() + $1 + (SELECT 1)', workflow)).toEqual([
    ['unknown_column', 0, 'c'],
    ['unknown_row_field', 4, 'y'],
    ['wrong_row_alias', 20, 't.a'],
    ['aggregate', 26, 'sum'],
    ['volatile', 35, 'now()'],
    ['parameter', 43, '$1'],
    ['subquery', 48, 'subquery'],
  ]);
  expect(kinds('count(*)', workflow).map((k) => k[0])).toEqual(['aggregate']);
  expect(kinds('x + s.t.u', workflow)).toEqual([
    ['unknown_column', 0, 'x'],
    ['bad_qualifier', 4, 's.t.u'],
  ]);
  // A source field written bare is the likeliest slip: the hint names it with the alias.
  expect(checkExpression(tree('x'), workflow)[0]!.suggestion).toBe('transaction.x');
});

test('the row alias is the trigger without _inserted', () => {
  expect(rowAliasOf('reading_inserted')).toBe('reading');
  expect(rowAliasOf('transaction_inserted')).toBe('transaction');
  const readings: ExpressionScope = { columns: ['total'], row: { alias: 'reading', fields: ['value'], trigger: 'reading_inserted' }, context: 'workflow' };
  expect(kinds('total + reading.value', readings)).toEqual([]);
  expect(checkExpression(tree('total + transaction.value'), readings)).toEqual([{ kind: 'wrong_row_alias', offset: 8, name: 'transaction.value', suggestion: 'reading.value' }]);
});

test('views: the clock and random values are named as such; no qualified names', () => {
  expect(kinds('a + random() + clock_timestamp() + CURRENT_TIMESTAMP + transaction.a', view).map(([k, , n]) => [k, n])).toEqual([
    ['volatile', 'random()'],
    ['volatile', 'clock_timestamp()'],
    ['volatile', 'current_timestamp'],
    ['bad_qualifier', 'transaction.a'],
  ]);
});

test('defaults: constants, the clock and gen_random_uuid(); never a column or a subquery', () => {
  for (const ok of [
    'now()', 'CURRENT_TIMESTAMP', 'current_date', 'LOCALTIMESTAMP(0)', 'gen_random_uuid()', 'random()', "'new'", "upper('new')", '0', '-1.5', 'true',
    "(now() AT TIME ZONE 'UTC')::date", "now() + interval '1 day'", "'{}'::jsonb", "'pending'::varchar(20)", "md5('x')::uuid", 'NULL',
  ]) {
    expect([ok, checkExpression(tree(ok), defaults)]).toEqual([ok, []]);
  }
  expect(kinds('a + 1', defaults)).toEqual([['column_not_allowed', 0, 'a']]);
  expect(kinds('(SELECT max(id) FROM t)', defaults)).toEqual([['subquery', 0, 'subquery']]);
});

test.each([
  // dangerous built-ins are never listed, qualified or not
  ["pg_read_file('/etc/passwd')", 'function_not_allowed', 'pg_read_file'],
  ['pg_catalog.pg_read_file($$/etc/passwd$$)', 'function_not_allowed', 'pg_catalog.pg_read_file'],
  ['pg_terminate_backend(1)', 'function_not_allowed', 'pg_terminate_backend'],
  ["dblink('host=x', 'select 1')", 'function_not_allowed', 'dblink'],
  ["lo_import('/etc/passwd')", 'function_not_allowed', 'lo_import'],
  ["nextval('s')", 'function_not_allowed', 'nextval'],
  ["set_config('role', 'postgres', false)", 'function_not_allowed', 'set_config'],
  ["current_setting('x')", 'function_not_allowed', 'current_setting'],
  ['pg_sleep(10)', 'function_not_allowed', 'pg_sleep'],
  ['uuid_generate_v4()', 'function_not_allowed', 'uuid_generate_v4'],
  ['current_user', 'function_not_allowed', 'current_user'],
  // schema-qualified functions, operators and casts
  ["attacker.upper('x')", 'function_qualified', 'attacker.upper'],
  ['1 OPERATOR(attacker.+) 2', 'operator_qualified', 'OPERATOR(attacker.+)'],
  ['1 OPERATOR(pg_catalog.+) 2', 'operator_qualified', 'OPERATOR(pg_catalog.+)'],
  ["'pg_class'::regclass", 'cast_not_allowed', 'regclass'],
  ["'now'::pg_catalog.regproc", 'cast_not_allowed', 'pg_catalog.regproc'],
  ["'x'::attacker.t", 'cast_not_allowed', 'attacker.t'],
  ["'{1}'::int4[]", 'cast_not_allowed', 'int4[]'],
  ["'1'::oid", 'cast_not_allowed', 'oid'],
  // operators outside the list
  ["'a' ~ 'b'", 'operator_not_allowed', '~'],
  ["'{}'::jsonb @> '{}'::jsonb", 'operator_not_allowed', '@>'],
  // set-returning, aggregates, windows
  ['generate_series(1, 10)', 'set_returning', 'generate_series'],
  ["jsonb_array_elements('[]')", 'set_returning', 'jsonb_array_elements'],
  ['max(1)', 'aggregate', 'max'],
  ['row_number() OVER ()', 'aggregate', 'row_number'],
  ['count(DISTINCT 1)', 'aggregate', 'count'],
  // constructs
  ['ROW(1, 2)', 'unsupported', 'RowExpr'],
  ['ARRAY[1, 2]', 'unsupported', 'A_ArrayExpr'],
  ["'a' COLLATE \"C\"", 'unsupported', 'CollateClause'],
  ["'a' SIMILAR TO 'b'", 'unsupported', 'SIMILAR TO'],
  ['1 = ANY(NULL)', 'unsupported', 'ANY/ALL'],
  ["B'101'", 'unsupported', 'bit-string constant'],
  ['EXISTS (SELECT 1)', 'subquery', 'subquery'],
  ["concat(VARIADIC ARRAY['a'])", 'unsupported', 'VARIADIC'],
])('%s is refused (%s)', (text, kind, name) => {
  for (const scope of [workflow, view, defaults]) {
    const problems = checkExpression(tree(text), scope);
    expect(problems.map((p) => [p.kind, p.name])).toContainEqual([kind, name]);
  }
});

test('the lists hold no dangerous name and no reg* type; operators are plain symbols', () => {
  const listed = [...PURE_FUNCTIONS, ...CLOCK_FUNCTIONS, ...RANDOM_FUNCTIONS];
  for (const name of ['pg_read_file', 'pg_read_binary_file', 'pg_ls_dir', 'pg_terminate_backend', 'pg_cancel_backend', 'dblink', 'dblink_exec', 'lo_import', 'lo_export', 'set_config', 'current_setting', 'nextval', 'setval', 'pg_sleep', 'query_to_xml', 'pg_advisory_lock', 'txid_current', 'repeat', 'lpad']) {
    expect(listed).not.toContain(name);
  }
  expect(ALLOWED_CAST_TYPES.filter((t) => t.startsWith('reg'))).toEqual([]);
  expect(ALLOWED_OPERATORS.every((op) => /^[-+*/%^=<>|]+$/.test(op))).toBe(true);
});

test('conditions split into key equalities with the row alias, either side', () => {
  expect(conditionEqualities(tree('a = transaction.x AND transaction.y = b'), 'transaction')).toEqual({
    ok: true,
    equalities: [
      { column: 'a', field: 'x', offset: 0 },
      { column: 'b', field: 'y', offset: 38 },
    ],
  });
  expect(conditionEqualities(tree('a = reading.x'), 'reading').ok).toBe(true);
  expect(conditionEqualities(tree('a = transaction.x'), 'reading').ok).toBe(false);
  expect(conditionEqualities(tree('a > transaction.x'), 'transaction').ok).toBe(false);
  expect(conditionEqualities(tree('a = 1'), 'transaction').ok).toBe(false);
});
