/** Runs a desired state's create steps one by one, as an applier would (CONCURRENTLY ones outside any transaction). */
import type { Pool } from 'pg';
import type { DesiredState } from '../../src/desired/objects';
import { scriptSteps } from '../../src/sql/script';

export async function applyDesired(pool: Pool, desired: DesiredState): Promise<number> {
  const client = await pool.connect();
  try {
    let n = 0;
    for (const step of scriptSteps(desired)) {
      try {
        await client.query(step.sql);
      } catch (error) {
        throw new Error(`step ${n + 1} (${step.description}) failed: ${(error as Error).message}\n${step.sql}`);
      }
      n++;
    }
    return n;
  } finally {
    client.release();
  }
}
