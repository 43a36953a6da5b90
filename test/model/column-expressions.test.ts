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
  // On the server whose grammar the parser carries (PostgreSQL 17), quoting is exactly quote_ident's.
  // Another major version may file a word under another keyword category (16 quotes `json`, which
  // 17 leaves bare): there every name that differs must still work as a column reference.
  const major = Math.floor(Number((await query<{ v: string }>(db.pool, 'SHOW server_version_num'))[0]!.v) / 10000);
  const differing = names.flatMap((n, i) => (batch[i] === server[i]!.q ? [] : [{ n, ours: batch[i]!, theirs: server[i]!.q }]));
  if (major === 17) expect(differing).toEqual([]);
  for (const d of differing) {
    const rows = await query<Record<string, number>>(db.pool, `SELECT ${d.ours} AS v FROM (SELECT 1 AS ${d.theirs}) AS s`);
    expect(rows).toEqual([{ v: 1 }]);
  }
  expect(differing.length).toBeLessThan(names.length / 100);
  // Both kinds occur, so the comparison is not vacuous.
  expect(batch.filter((b) => b.startsWith('"')).length).toBeGreaterThan(50);
  expect(batch.filter((b, i) => b === names[i]).length).toBeGreaterThan(300);
});
