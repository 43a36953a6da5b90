/** The one wrapper around PostgreSQL's parser and deparser, on the real libpg-query. */
import {
  deparseExpression,
  deparseOperand,
  columnExpression,
  ExpressionDeparseError,
  GENERATED_EXPRESSIONS,
  integerExpression,
  loadExpressionParser,
  parseExpression,
  sameExpression,
  stripLocations,
  type ExpressionTree,
} from '../../src/model/expression';

beforeAll(() => loadExpressionParser());

const tree = (text: string): ExpressionTree => {
  const parsed = parseExpression(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.tree;
};

test('returns the expression node with locations relative to the text (characters, not bytes)', () => {
  const node = tree('total_sales + transaction.total_amount') as { A_Expr: { lexpr: { ColumnRef: { location: number } }; rexpr: { ColumnRef: { location: number } } } };
  expect(node.A_Expr.lexpr.ColumnRef.location).toBe(0);
  expect(node.A_Expr.rexpr.ColumnRef.location).toBe(14);
  const unicode = tree("'é😀' || nope") as { A_Expr: { rexpr: { ColumnRef: { location: number } } } };
  expect(unicode.A_Expr.rexpr.ColumnRef.location).toBe("'é😀' || ".length);
});

test.each([
  ['a + + * b', 6, /syntax error at or near "\*"/],
  ['a +', 3, /at end of input/],
  ['(a + b', 6, /at end of input/],
  ["'abc", 0, /unterminated/],
  ['a * (b + c) * * 2', 14, /near "\*"/],
  ['é + + ,', 6, /near ","/],
])('syntax error in %j at offset %i', (text, offset, message) => {
  expect(parseExpression(text)).toEqual({ ok: false, error: expect.stringMatching(message), offset });
});

test.each([
  ['a FROM t', /not a query/],
  ['1; DROP TABLE t', /only one expression/],
  ['1 UNION SELECT 2', /not a query/],
  ['a AS b', /alias/],
  ['a, b', /one expression/],
  ['', /empty/],
  ['  -- just a comment', /empty/],
  ['1 -- trailing\n; DELETE FROM t', /only one expression/],
  ['1 /* a */ ; SELECT 2', /only one expression/],
])('%j is not a single expression', (text, message) => {
  expect(parseExpression(text)).toEqual({ ok: false, error: expect.stringMatching(message), offset: expect.any(Number) });
});

test('comments are not part of the tree, so they never reach the deparsed text', () => {
  expect(deparseExpression(tree('total + transaction.amount /*\nTRUNCATE shop.audit_log; --*/'))).toBe('total + transaction.amount');
  expect(deparseExpression(tree("'x' -- the rest\n || 'y'"))).toBe("'x' || 'y'");
});

test('true survives the deparser (libpg-query 17.3.2 turns it into false unless worked around)', () => {
  expect(deparseExpression(tree('true AND NOT false'))).toBe('true AND NOT false');
  expect(deparseExpression(tree('CASE WHEN a THEN true ELSE false END'))).toBe('CASE WHEN a THEN true ELSE false END');
});

test.each([
  ["'it''s'", "'it''s'"],
  ['$$dollar$$', "'dollar'"],
  ['$tag$a$$b$tag$', "'a$$b'"],
  ["E'a\\\\b'", "E'a\\\\b'"],
  ["'😀' || 'é'", "'😀' || 'é'"],
  ["U&'d\\0061t\\+000061'", "'data'"],
  ['"Quoted Col" + 1', '"Quoted Col" + 1'],
  ['2 ^ 3 ^ 4', '(2 ^ 3) ^ 4'],
  ['a < b AND b <= c OR NOT d', '(a < b AND b <= c) OR NOT d'],
  ["interval '1 day'", "'1 day'::interval"],
  ['x::integer', 'x::int'],
  ['(a + 1)::numeric(10,2)', 'CAST(a + 1 AS numeric(10, 2))'],
  ["now() AT TIME ZONE 'UTC'", "now() AT TIME ZONE 'UTC'"],
  ['EXTRACT(EPOCH FROM a)', "extract ('epoch' FROM a)"],
])('deparse(parse(%j)) = %j, and it parses back to the same tree', (text, expected) => {
  const out = deparseExpression(tree(text));
  expect(out).toBe(expected);
  expect(sameExpression(tree(out), tree(text))).toBe(true);
});

test('a tree the deparser cannot render faithfully is refused, never emitted', () => {
  // A hand-made constant whose text does not read back as itself.
  expect(() => deparseExpression({ A_Const: { fval: { fval: '1000' } } })).toThrow(ExpressionDeparseError);
});

test('operands are parenthesised unless primary (DEFAULT takes only a restricted expression)', () => {
  expect(deparseOperand(tree('now()'))).toBe('now()');
  expect(deparseOperand(tree("'x'::text"))).toBe("'x'::text");
  expect(deparseOperand(tree('-1'))).toBe('-1');
  expect(deparseOperand(tree("now() AT TIME ZONE 'UTC'"))).toBe("(now() AT TIME ZONE 'UTC')");
  expect(deparseOperand(tree('a IS NULL'))).toBe('(a IS NULL)');
  expect(deparseOperand(tree('1 + 2'))).toBe('(1 + 2)');
});

test('the generator\'s own expressions are exactly what the deparser prints for them', () => {
  for (const expression of Object.values(GENERATED_EXPRESSIONS)) expect(deparseOperand(tree(expression))).toBe(expression);
  for (const n of [0, 1, 10000, -1]) expect(deparseExpression(tree(integerExpression(n)))).toBe(integerExpression(n));
  expect(() => integerExpression(1.5)).toThrow(/not an integer/);
  expect(columnExpression('total_sales')).toBe('total_sales');
  expect(columnExpression('order')).toBe('"order"');
});

test('stripLocations drops positions only', () => {
  expect(stripLocations(tree('a + 1'))).toEqual({ A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '+' } }], lexpr: { ColumnRef: { fields: [{ String: { sval: 'a' } }] } }, rexpr: { A_Const: { ival: { ival: 1 } } } } });
});
