import { createTestDatabase, query } from './support/db';

test('the test server is a real PostgreSQL', async () => {
  const db = await createTestDatabase('smoke');
  try {
    const [row] = await query<{ v: string }>(db.pool, 'SELECT current_setting(\'server_version_num\') AS v');
    expect(Number(row!.v)).toBeGreaterThanOrEqual(150000);
  } finally {
    await db.drop();
  }
});
