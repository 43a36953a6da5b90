/** parseExpression (shared with the workflow generator) and the scope checks, on the real PostgreSQL parser. */
import { checkExpression, conditionEqualities, loadExpressionParser, parseExpression, type AstNode } from '../../src/spec/expressions';

beforeAll(() => loadExpressionParser());

const ast = (text: string): AstNode => {
  const parsed = parseExpression(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.ast;
};

test('returns the expression node with locations relative to the text', () => {
  const node = ast('total_sales + transaction.total_amount') as { A_Expr: { lexpr: { ColumnRef: { location: number } }; rexpr: { ColumnRef: { location: number } } } };
  expect(node.A_Expr.lexpr.ColumnRef.location).toBe(0);
  expect(node.A_Expr.rexpr.ColumnRef.location).toBe(14);
});

test.each([
  ['a + + * b', 6, /syntax error at or near "\*"/],
  ['a +', 3, /at end of input/],
  ['(a + b', 6, /at end of input/],
  ["'abc", 0, /unterminated/],
  ['a * (b + c) * * 2', 14, /near "\*"/],
  ['é + + ,', 6, /near ","/],
])('syntax error in %j at offset %i', (text, offset, message) => {
  const parsed = parseExpression(text);
  expect(parsed).toEqual({ error: expect.stringMatching(message), offset });
});

test.each([
  ['a FROM t', /not a query/],
  ['1; DROP TABLE t', /only one expression/],
  ['1 UNION SELECT 2', /not a query/],
  ['a AS b', /alias/],
  ['a, b', /one expression/],
  ['', /empty/],
  ['  -- just a comment', /empty/],
])('%j is not a single expression', (text, message) => {
  expect(parseExpression(text)).toEqual({ error: expect.stringMatching(message), offset: expect.any(Number) });
});

test('scope: columns, transaction fields, allow-listed functions', () => {
  const scope = { columns: ['a', 'b'], transactionFields: ['x'], context: 'workflow' as const };
  expect(checkExpression(ast('GREATEST(a, transaction.x) + COALESCE(b, 0) + ROUND(ABS(a), 2) + EXTRACT(EPOCH FROM a) + NULLIF(b, 0) + CASE WHEN a > 0 THEN 1 ELSE 2 END + a::numeric + date_trunc(\'day\', b)::int'), scope)).toEqual([]);
  expect(checkExpression(ast('c + transaction.y + t.a + sum(a) + now() + $1 + (SELECT 1)'), scope).map((p) => [p.kind, p.offset, p.name])).toEqual([
    ['unknown_column', 0, 'c'],
    ['unknown_transaction_field', 4, 'y'],
    ['bad_qualifier', 20, 't.a'],
    ['function_not_allowed', 26, 'sum'],
    ['function_not_allowed', 35, 'now'],
    ['parameter', 43, '$1'],
    ['subquery', 48, 'subquery'],
  ]);
  expect(checkExpression(ast('count(*)'), scope).map((p) => p.kind)).toEqual(['aggregate']);
});

test('views: volatile functions are named as such; transaction. is not available', () => {
  const scope = { columns: ['a'], transactionFields: null, context: 'view' as const };
  expect(checkExpression(ast('a + random() + clock_timestamp() + CURRENT_TIMESTAMP + transaction.a'), scope).map((p) => [p.kind, p.name])).toEqual([
    ['volatile', 'random()'],
    ['volatile', 'clock_timestamp()'],
    ['volatile', 'current_timestamp'],
    ['transaction_not_allowed', 'transaction.a'],
  ]);
});

test('conditions split into key equalities, either side', () => {
  expect(conditionEqualities(ast('a = transaction.x AND transaction.y = b'))).toEqual({
    ok: true,
    equalities: [
      { column: 'a', field: 'x', offset: 0 },
      { column: 'b', field: 'y', offset: 38 },
    ],
  });
  expect(conditionEqualities(ast('a > transaction.x')).ok).toBe(false);
  expect(conditionEqualities(ast('a = 1')).ok).toBe(false);
});
