/**
 * Throw-away databases on a server (tests and the bench): one per test file or suite,
 * dropped with FORCE at the end. Filling them is the engine's job (src/engine/fresh.ts).
 */
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { withClient, withDatabase } from './connection';

export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  readonly pool: Pool;
  drop(): Promise<void>;
}

export async function createScratchDatabase(serverUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `specql_${prefix}_${randomBytes(4).toString('hex')}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(serverUrl, name);
  const pool = new Pool({ connectionString: url, max: 8 });
  return {
    name,
    url,
    pool,
    drop: async () => {
      // pool.end() can resolve before an idle client's socket has closed; the
      // forced DROP below then terminates it (57P01), which the pool re-emits.
      // That one is expected here; anything else is still reported.
      pool.on('error', (err: Error & { code?: string }) => {
        if (err.code !== '57P01') console.error(`scratch database ${name}: ${err.message}`);
      });
      await pool.end();
      await withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
