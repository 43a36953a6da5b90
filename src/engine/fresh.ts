/**
 * A database filled the way `specql apply` would fill an empty one: every create
 * step of the desired state in order, CONCURRENTLY ones outside transactions.
 * Used by the benchmark suites (src/bench), which must measure exactly what the
 * generator produces, and by the tests that exercise the generated objects.
 */
import * as path from 'node:path';
import type { Pool } from 'pg';
import { buildDesired } from '../desired/build';
import { hasErrors } from '../diagnostics/diagnostic';
import type { DesiredState } from '../model/objects';
import { scriptSteps } from '../plan/script';
import { loadSpecs } from '../spec/load';
import type { SpecSet } from '../spec/model';

/** specs/ at the repository root (this file runs from src/ under ts-jest or from dist/). */
export const SPECS_DIR = path.join(__dirname, '..', '..', 'specs');


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
