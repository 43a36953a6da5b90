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
import { objectKey } from '../model/objects';
import { RUN_LOG_SCHEMA, RUN_LOG_TABLE, runLogObjects } from '../desired/run-log';
import { SCRIPT_PREAMBLE, scriptSteps } from '../plan/script';
import { loadSpecs } from '../spec/load';
import type { SpecSet } from '../spec/model';

/** specs/ at the repository root (this file runs from src/ under ts-jest or from dist/). */
export const SPECS_DIR = path.join(__dirname, '..', '..', 'specs');


/** Runs a desired state's fresh-database script (what `specql sql` prints) step by step,
 *  as psql would: CONCURRENTLY steps outside any transaction. */
export async function runFreshScript(pool: Pool, desired: DesiredState): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(SCRIPT_PREAMBLE);
    // The worker's run log (specql.run_log) is shared by every spec set in a database: tests and
    // the bench fill several schemas of one database with fresh scripts, so the second one skips it.
    const { rows } = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${RUN_LOG_SCHEMA}.${RUN_LOG_TABLE}`]);
    const shared = new Set(rows[0].present ? runLogObjects().map(objectKey) : []);
    for (const [i, step] of scriptSteps(desired).filter((s) => !shared.has(s.object)).entries()) {
      try {
        await client.query(step.sql);
      } catch (err) {
        throw new Error(`step ${i + 1} (${step.description}) failed: ${(err as Error).message}\n${step.sql}`);
      }
    }
  } finally {
    await client.query('RESET search_path').catch(() => undefined);
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
