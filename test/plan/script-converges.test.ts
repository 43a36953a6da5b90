/**
 * Issue 8 item 8: a database built by `specql sql specs/ | psql` is the database `specql apply`
 * builds: the next `specql plan` is empty (ownership markers and comments included), and the
 * catalog of both reads the same — objects, markers, partitions' column defaults and the names
 * of the partitions' indexes.
 */
import { spawnSync } from 'node:child_process';
import type { Pool } from 'pg';
import { applySpecs } from '../../src/engine';
import { readCatalog } from '../../src/catalog/read';
import { connect } from '../../src/db/connection';
import { loadSpecs } from '../../src/spec/load';
import { specql } from '../support/cli';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

const TODAY = '2024-03-15';
let scripted: TestDatabase;
let applied: TestDatabase;
beforeAll(async () => {
  scripted = await createTestDatabase('script_conv');
  applied = await createTestDatabase('apply_conv');
});
afterAll(async () => {
  await scripted.drop();
  await applied.drop();
});

async function snapshot(url: string, pool: Pool): Promise<unknown> {
  const client = await connect(url);
  try {
    const live = await readCatalog(client, ['analytics', 'specql']);
    const childIndexes = await query(pool, `SELECT c.relname AS name FROM pg_class c WHERE c.relkind = 'i' AND c.relnamespace = 'analytics'::regnamespace ORDER BY 1`);
    return {
      objects: live.objects.map((o) => JSON.stringify(o)).sort(),
      markers: [...live.markers].map(([k, m]) => JSON.stringify([k, m])).sort(),
      partitionDefaults: [...live.partitionDefaults].map(([k, c]) => JSON.stringify([k, [...c]])).sort(),
      childIndexes,
    };
  } finally {
    await client.end();
  }
}

test('specql sql | psql, then specql plan: no changes; the same catalog as specql apply', async () => {
  const script = await specql('sql', 'specs', '--today', TODAY);
  expect(script.code).toBe(0);
  const psql = spawnSync('psql', ['-q', '-X', '-v', 'ON_ERROR_STOP=1', scripted.url], { input: script.stdout, encoding: 'utf8' });
  if (psql.error) {
    // No psql client on this machine: run the script through the driver instead (one simple query).
    await scripted.pool.query(script.stdout);
  } else {
    expect(psql.stderr).toBe('');
    expect(psql.status).toBe(0);
  }
  const plan = await specql('plan', 'specs', '--today', TODAY, '--database-url', scripted.url, '--detailed-exitcode');
  expect(plan.stdout).toContain('No changes');
  expect(plan.code).toBe(0);

  const { specs } = await loadSpecs(['specs']);
  await applySpecs(specs!, { databaseUrl: applied.url, today: TODAY });
  expect(await snapshot(scripted.url, scripted.pool)).toEqual(await snapshot(applied.url, applied.pool));
});
