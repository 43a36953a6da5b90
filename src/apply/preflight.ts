/**
 * The pre-flight: before the first write, the plan's transactional steps run
 * once in ONE transaction that is always rolled back, so a plan PostgreSQL
 * would refuse half-way (an unknown type, a default that does not fit its
 * column, a name taken by something else) is refused with nothing written:
 * no schema or table is left behind.
 *
 * What it does not run, and says so (PreflightSummary.skipped):
 *  - non-transactional steps (CONCURRENTLY builds, drops, rebuilds) cannot run
 *    in a transaction, and their non-concurrent form would block writers for
 *    the length of a build;
 *  - steps that rewrite a table, move rows or refresh a materialized view
 *    (hazards `rewrites_table`, `moves_rows`; actions `move_rows`, `refresh`,
 *    `drain`, `wait`):
 *    rehearsing them would cost as much as running them, under the same locks.
 * A step after a skipped one may depend on it (an ATTACH of an index built
 * concurrently), so from the first skipped step on each step runs under a
 * savepoint and a failure there is reported as unverified, not as a refusal.
 *
 * Locks: each statement has its step's lock_timeout (as in the real run), so
 * the rehearsal never queues in front of writers; a lock timeout or deadlock
 * retries the whole rehearsal with backoff like the executor does.
 */
import type { Client, DatabaseError } from 'pg';
import type { PlanStep } from '../model/step';

export interface PreflightSummary {
  readonly ok: boolean;
  /** 1-based plan positions that were rehearsed (and rolled back). */
  readonly rehearsed: readonly number[];
  /** Positions not rehearsed, with why. */
  readonly skipped: readonly { readonly index: number; readonly reason: 'not_transactional' | 'costly' }[];
  /** Steps after a skipped one that failed in the rehearsal: perhaps only because of the skipped step. */
  readonly unverified: readonly { readonly index: number; readonly message: string; readonly code: string | null }[];
  /** The step PostgreSQL refused, when !ok. */
  readonly failed?: { readonly index: number; readonly message: string; readonly code: string | null; readonly sql: string };
  readonly durationMs: number;
}

const RETRYABLE = new Set(['55P03', '40P01']);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function skipReason(step: PlanStep): PreflightSummary['skipped'][number]['reason'] | null {
  if (!step.transactional) return 'not_transactional';
  // A drain runs the queue processor (as costly as running it); a wait for older statements,
  // rehearsed in one transaction with the writer-path switch's lock, could wait on a writer that lock holds.
  if (step.action === 'refresh' || step.action === 'move_rows' || step.action === 'drain' || step.action === 'wait' || step.hazards.some((h) => h.code === 'rewrites_table' || h.code === 'moves_rows')) return 'costly';
  return null;
}

class LockConflict extends Error {
  constructor(readonly failed: NonNullable<PreflightSummary['failed']>) {
    super(failed.message);
  }
}

async function rehearseOnce(client: Client, steps: readonly PlanStep[]): Promise<Omit<PreflightSummary, 'durationMs'>> {
  const rehearsed: number[] = [];
  const skipped: { index: number; reason: 'not_transactional' | 'costly' }[] = [];
  const unverified: { index: number; message: string; code: string | null }[] = [];
  await client.query('BEGIN');
  try {
    for (const [i, step] of steps.entries()) {
      const index = i + 1;
      const reason = skipReason(step);
      if (reason) {
        skipped.push({ index, reason });
        continue;
      }
      const guarded = skipped.length > 0;
      if (guarded) await client.query('SAVEPOINT specql_preflight');
      try {
        await client.query(`SET LOCAL lock_timeout = ${Math.max(1, step.lockTimeoutMs)}`);
        await client.query(`SET LOCAL statement_timeout = ${Math.max(1, step.statementTimeoutMs)}`);
        await client.query(step.sql);
        rehearsed.push(index);
        if (guarded) await client.query('RELEASE SAVEPOINT specql_preflight');
      } catch (err) {
        const e = err as Partial<DatabaseError> & Error;
        const code = e.code ?? null;
        if (code !== null && RETRYABLE.has(code)) throw new LockConflict({ index, message: e.message, code, sql: step.sql });
        if (!guarded) return { ok: false, rehearsed, skipped, unverified, failed: { index, message: e.message ?? String(err), code, sql: step.sql } };
        await client.query('ROLLBACK TO SAVEPOINT specql_preflight');
        unverified.push({ index, message: e.message ?? String(err), code });
      }
    }
    return { ok: true, rehearsed, skipped, unverified };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

export async function preflightPlan(
  client: Client,
  steps: readonly PlanStep[],
  options: { readonly lockRetries?: number; readonly backoffMs?: number; readonly onProgress?: (message: string) => void } = {},
): Promise<PreflightSummary> {
  const started = Date.now();
  const retries = options.lockRetries ?? 6;
  const backoff = options.backoffMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await rehearseOnce(client, steps);
      return { ...result, durationMs: Date.now() - started };
    } catch (err) {
      if (!(err instanceof LockConflict)) throw err;
      if (attempt > retries) {
        // Never got its locks: refused like any other failure, with nothing written.
        return { ok: false, rehearsed: [], skipped: [], unverified: [], failed: { ...err.failed, message: `pre-flight could not take its locks: ${err.failed.message}` }, durationMs: Date.now() - started };
      }
      const delay = Math.round(backoff * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
      options.onProgress?.(`pre-flight: ${err.message}; retry ${attempt}/${retries} in ${delay} ms`);
      await sleep(delay);
    }
  }
}
