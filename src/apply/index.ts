/**
 * applyPlan: runs a plan on a database and returns the per-step report.
 * Holds the per-schema advisory locks for the whole run (unless the caller
 * already holds them, as the engine does to re-plan under the lock).
 */
import type { Client } from 'pg';
import { connect } from '../db/connection';
import type { Plan } from '../plan/types';
import { acquireApplyLocks } from './advisory-lock';
import { executePlan, type ExecuteOptions } from './executor';
import type { ApplyReport } from './report';

export interface ApplyOptions extends ExecuteOptions {
  /** Schemas to lock; required unless `lockHeld`. */
  readonly schemas?: readonly string[];
  /** The caller holds the advisory locks on this client already. */
  readonly lockHeld?: boolean;
  /** Longest wait for another holder of the lock (default 60 s). */
  readonly lockWaitMs?: number;
}

export async function applyPlan(target: Client | string, plan: Plan, options: ApplyOptions = {}): Promise<ApplyReport> {
  const client = typeof target === 'string' ? await connect(target, 'specql-apply', { pinSearchPath: true }) : target;
  const url = options.url ?? (typeof target === 'string' ? target : undefined);
  try {
    if (options.lockHeld) return await executePlan(client, plan, { ...options, ...(url ? { url } : {}) });
    const locks = await acquireApplyLocks(client, options.schemas ?? [], options.onProgress, options.lockWaitMs !== undefined ? { waitMs: options.lockWaitMs } : {});
    try {
      const report = await executePlan(client, plan, { ...options, ...(url ? { url } : {}) });
      return { ...report, lockWaitMs: locks.waitedMs };
    } finally {
      await locks.release();
    }
  } finally {
    if (typeof target === 'string') await client.end().catch(() => undefined);
  }
}

export type { ApplyReport, StepResult, StepStatus } from './report';
export { reportText } from './report';
