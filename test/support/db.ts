/**
 * A fresh database per test file on the run's server (embedded by default,
 * or TEST_DATABASE_URL). Nothing is mocked: every test talks to PostgreSQL.
 */
import { Client, Pool } from 'pg';
import { createScratchDatabase, type ScratchDatabase } from '../../src/db/scratch';

export type TestDatabase = ScratchDatabase;

export function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through `npm test` (jest globalSetup starts PostgreSQL).');
  return url;
}

export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  return createScratchDatabase(serverUrl(), `${prefix}_${process.pid}`.toLowerCase());
}

export async function query<T = Record<string, unknown>>(client: Client | Pool, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = await client.query(sql, params);
  return result.rows as T[];
}

/** The indexes on a (partitioned) table, read straight from pg_catalog: validity and how many partition indexes are attached. */
export async function parentIndexes(pool: Pool, table: string): Promise<{ name: string; valid: boolean; children: number }[]> {
  return query(
    pool,
    `SELECT c.relname AS name, x.indisvalid AS valid,
            (SELECT count(*)::int FROM pg_inherits i WHERE i.inhparent = c.oid) AS children
     FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
     WHERE x.indrelid = $1::regclass ORDER BY 1`,
    [table],
  );
}
