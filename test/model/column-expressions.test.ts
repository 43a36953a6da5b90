/**
 * columnExpressions (the batch form used for a view's many columns) must give
 * exactly what the deparser gives, and what PostgreSQL's quote_ident gives,
 * for every keyword the server knows and for ordinary names.
 */
import { columnExpression, columnExpressions, loadExpressionParser } from '../../src/model/expression';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  await loadExpressionParser();
  db = await createTestDatabase('colexpr');
});
afterAll(async () => {
  await db.drop();
});

test('every keyword and ordinary names: batch = deparser = quote_ident', async () => {
  const keywords = (await query<{ word: string }>(db.pool, 'SELECT word FROM pg_get_keywords() ORDER BY word')).map((r) => r.word);
  expect(keywords.length).toBeGreaterThan(400);
  const names = [...keywords, 'total_sales', 'id', '_x1', 'a', 'Mixed', 'with space', 'quote"d', 'é'];
  const server = await query<{ q: string }>(db.pool, 'SELECT quote_ident(n) AS q FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i', [names]);
  const batch = columnExpressions(names);
  expect(batch).toEqual(names.map((n) => columnExpression(n)));
  expect(batch).toEqual(server.map((r) => r.q));
  // Both kinds occur, so the comparison is not vacuous.
  expect(batch.filter((b) => b.startsWith('"')).length).toBeGreaterThan(50);
  expect(batch.filter((b, i) => b === names[i]).length).toBeGreaterThan(300);
});
