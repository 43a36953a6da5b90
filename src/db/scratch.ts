/**
 * A scratch database with the full DDL of specs/ applied the way `specql apply` would on an
 * empty database (every create step in order, CONCURRENTLY ones outside transactions).
 * Used by the benchmark suites (src/bench), which must measure exactly what the generator produces,
 * and by the tests that exercise the generated objects.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Pool } from 'pg';
import { withClient, withDatabase } from './connection';
import { buildDesired } from '../desired/build';
import type { DesiredState } from '../desired/objects';
import { hasErrors } from '../diagnostics/diagnostic';
import { loadSpecs } from '../spec/load';
import type { SpecSet } from '../spec/model';
import { scriptSteps } from '../sql/script';

export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  readonly pool: Pool;
  drop(): Promise<void>;
}

/** specs/ at the repository root (this file runs from src/ under ts-jest or from dist/). */
export const SPECS_DIR = path.join(__dirname, '..', '..', 'specs');

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

/** Runs a desired state's fresh-database script (what `specql sql` prints) step by step,
 *  as psql would: CONCURRENTLY steps outside any transaction. */
export async function runFreshScript(pool: Pool, desired: DesiredState): Promise<void> {
  const client = await pool.connect();
  try {
    for (const [i, step] of scriptSteps(desired).entries()) {
      try {
        await client.query(step.sql);
      } catch (err) {
        throw new Error(`step ${i + 1} (${step.description}) failed: ${(err as Error).message}\n${step.sql}`);
      }
    }
  } finally {
    client.release();
  }
}

/** Loads specs and runs their fresh-database script. */
export async function applyFreshScript(pool: Pool, today: string, specsDir = SPECS_DIR): Promise<SpecSet> {
  const { specs, diagnostics } = await loadSpecs([specsDir]);
  if (hasErrors(diagnostics)) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  await runFreshScript(pool, buildDesired(specs, { today }));
  return specs;
}
