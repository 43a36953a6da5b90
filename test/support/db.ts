/**
 * A fresh database per test file on the run's server (embedded by default,
 * or TEST_DATABASE_URL). Nothing is mocked: every test talks to PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { withClient, withDatabase } from '../../src/db/connection';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  readonly pool: Pool;
  drop(): Promise<void>;
}

export function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through `npm test` (jest globalSetup starts PostgreSQL).');
  return url;
}

export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  const name = `specql_${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase();
  await withClient(serverUrl(), (c) => c.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(serverUrl(), name);
  const pool = new Pool({ connectionString: url, max: 8 });
  return {
    url,
    name,
    pool,
    drop: async () => {
      await pool.end();
      await withClient(serverUrl(), (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export async function query<T = Record<string, unknown>>(client: Client | Pool, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = await client.query(sql, params);
  return result.rows as T[];
}
