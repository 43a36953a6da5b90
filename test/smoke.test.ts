import { createTestDatabase, query } from './support/db';

test('the test server is a real PostgreSQL, of the major version the run asked for', async () => {
  const db = await createTestDatabase('smoke');
  try {
    const [row] = await query<{ v: string }>(db.pool, "SELECT current_setting('server_version_num') AS v");
    const major = Math.floor(Number(row!.v) / 10000);
    expect(major).toBeGreaterThanOrEqual(15);
    // SPECQL_TEST_PG=16|17|18 (the version matrix) must really run on that major.
    if (process.env.SPECQL_TEST_PG) expect(major).toBe(Number(process.env.SPECQL_TEST_PG));
  } finally {
    await db.drop();
  }
});
