/**
 * Runs a plan's steps in order and reports each one.
 *  - Consecutive transactional steps with the same `group` (else the same
 *    `object`) run in ONE transaction, so no object is left half-applied;
 *    each statement gets `SET LOCAL lock_timeout/statement_timeout` first.
 *  - A transaction that hits lock_timeout (55P03) or a deadlock (40P01) is
 *    rolled back and retried with exponential backoff: DDL never queues for
 *    long in front of writers.
 *  - Non-transactional steps (CONCURRENTLY) run alone, outside any
 *    transaction, with their long statement_timeout; a failed CREATE INDEX
 *    CONCURRENTLY leaves an INVALID index, which is dropped
 *    (DROP INDEX CONCURRENTLY IF EXISTS) before the build is retried once.
 *  - The first failure stops the run: later steps are reported `not_run`.
 *  - A lost session (the backend terminated, a failover) is such a failure:
 *    the server rolled back the open transaction, nothing more can run on
 *    this client, and the report says so (`connectionLost`); the next apply
 *    re-reads the catalog and finishes the work.
 *
 * Test hook: SPECQL_TEST_KILL_AFTER_STEP=<k> makes the process SIGKILL itself
 * right after step k's statement ran (before a pending COMMIT, if any). Only
 * the resumability tests set it.
 */
import type { Client, DatabaseError } from 'pg';
import { isConnectionLoss } from '../db/connection';
import { qualify } from '../model/ident';
import type { IndexBuild, PlanStep } from '../model/step';
import type { Plan } from '../plan/types';
import { preflightPlan, type PreflightSummary } from './preflight';
import { watchIndexBuild } from './progress';
import type { ApplyReport, StepResult } from './report';

export interface ExecuteOptions {
  /** URL for the progress connection (same database); progress is skipped without it. */
  readonly url?: string;
  readonly onProgress?: (message: string) => void;
  /** Retries of a transaction after lock_timeout / deadlock (default 6). */
  readonly lockRetries?: number;
  /** First backoff delay (doubles each retry, with jitter); default 200 ms. */
  readonly backoffMs?: number;
  /** Rehearse the transactional steps in a rolled-back transaction first (./preflight.ts); default true. */
  readonly preflight?: boolean;
}

const RETRYABLE = new Set(['55P03', '40P01']);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Batch {
  readonly transactional: boolean;
  readonly items: { readonly index: number; readonly step: PlanStep }[];
}

export function batches(steps: readonly PlanStep[]): Batch[] {
  const out: Batch[] = [];
  steps.forEach((step, i) => {
    const last = out[out.length - 1];
    const groupOf = (s: PlanStep): string => s.group ?? s.object;
    if (step.transactional && last?.transactional && groupOf(last.items[0]!.step) === groupOf(step)) {
      last.items.push({ index: i + 1, step });
    } else {
      out.push({ transactional: step.transactional, items: [{ index: i + 1, step }] });
    }
  });
  return out;
}

function killHook(index: number): void {
  const k = process.env.SPECQL_TEST_KILL_AFTER_STEP;
  if (k && Number(k) === index) process.kill(process.pid, 'SIGKILL');
}

function errorOf(err: unknown, sql: string): NonNullable<StepResult['error']> {
  const e = err as Partial<DatabaseError> & Error;
  return { message: e.message ?? String(err), code: e.code ?? null, sql };
}

export async function executePlan(client: Client, plan: Plan, options: ExecuteOptions = {}): Promise<ApplyReport> {
  const started = Date.now();
  const results: StepResult[] = [];
  const retries = options.lockRetries ?? 6;
  const backoff = options.backoffMs ?? 200;
  const total = plan.steps.length;
  const say = options.onProgress ?? (() => undefined);
  let failed = false;
  let connectionLost: string | undefined;
  const pid = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);

  // Before the first write: a plan PostgreSQL refuses at step N writes nothing at all.
  let preflight: PreflightSummary | undefined;
  if (options.preflight !== false && plan.steps.length > 0) {
    preflight = await preflightPlan(client, plan.steps, { lockRetries: retries, backoffMs: backoff, onProgress: say });
    const failedAt = preflight.failed;
    if (!preflight.ok && failedAt) {
      // The session itself was lost during the rehearsal: not a verdict on the plan.
      const lost = isConnectionLoss({ code: failedAt.code, message: failedAt.message })
        ? `${failedAt.message}${failedAt.code ? ` (${failedAt.code})` : ''}`
        : undefined;
      say(
        lost
          ? `FAILED in the pre-flight at step ${failedAt.index}/${total}: the database session was lost: ${lost} (nothing was written)`
          : `REFUSED by the pre-flight at step ${failedAt.index}/${total}: ${failedAt.message} (nothing was written)`,
      );
      const refused = plan.steps.map((step, i): StepResult =>
        i + 1 === failedAt.index
          ? { index: i + 1, step, status: 'failed', attempts: 0, durationMs: 0, error: { message: failedAt.message, code: failedAt.code, sql: failedAt.sql }, preflight: true }
          : { index: i + 1, step, status: 'not_run', attempts: 0, durationMs: 0 },
      );
      return { ok: false, results: refused, durationMs: Date.now() - started, lockWaitMs: 0, preflight, ...(lost ? { connectionLost: lost } : {}) };
    }
    if (preflight.skipped.length > 0) {
      say(`pre-flight: rehearsed ${preflight.rehearsed.length}/${total} steps (not rehearsed: ${preflight.skipped.map((x) => x.index).join(', ')})${preflight.unverified.length ? `; unverified: ${preflight.unverified.map((u) => `${u.index} (${u.message})`).join('; ')}` : ''}`);
    }
  }

  for (const batch of batches(plan.steps)) {
    if (failed) {
      for (const { index, step } of batch.items) results.push({ index, step, status: 'not_run', attempts: 0, durationMs: 0 });
      continue;
    }
    const t0 = Date.now();
    let attempt = 0;
    let retriedBuild = false;
    for (;;) {
      attempt++;
      let current = batch.items[0]!;
      try {
        if (batch.transactional) {
          await client.query('BEGIN');
          for (const item of batch.items) {
            current = item;
            await client.query(`SET LOCAL lock_timeout = ${Math.max(1, item.step.lockTimeoutMs)}`);
            await client.query(`SET LOCAL statement_timeout = ${Math.max(1, item.step.statementTimeoutMs)}`);
            await client.query(item.step.sql);
            killHook(item.index);
          }
          await client.query('COMMIT');
        } else {
          await runConcurrent(client, current.step, { ...options, pid, label: `step ${current.index}/${total}` }, attempt);
          killHook(current.index);
        }
        const ms = Date.now() - t0;
        for (const { index, step } of batch.items) results.push({ index, step, status: 'applied', attempts: attempt, durationMs: ms });
        say(`applied ${batch.items.map((i) => i.index).join(',')}/${total}: ${batch.items.map((i) => i.step.description).join('; ')} (${ms} ms)`);
        break;
      } catch (err) {
        if (isConnectionLoss(err)) {
          // The server already rolled back the open transaction; no statement can run here any more.
          failed = true;
          connectionLost = `${(err as Error).message}${(err as DatabaseError).code ? ` (${(err as DatabaseError).code})` : ''}`;
          const ms = Date.now() - t0;
          for (const item of batch.items) {
            if (item === current) results.push({ index: item.index, step: item.step, status: 'failed', attempts: attempt, durationMs: ms, error: errorOf(err, item.step.sql) });
            else if (item.index < current.index) results.push({ index: item.index, step: item.step, status: 'rolled_back', attempts: attempt, durationMs: 0 });
            else results.push({ index: item.index, step: item.step, status: 'not_run', attempts: 0, durationMs: 0 });
          }
          say(`FAILED step ${current.index}/${total}: the database session was lost: ${connectionLost}`);
          break;
        }
        if (batch.transactional) await client.query('ROLLBACK').catch(() => undefined);
        const code = (err as DatabaseError).code ?? '';
        // A failed or timed-out concurrent build leaves an INVALID index behind (the index
        // itself, or REINDEX's `_ccnew` copy); it must go before any retry, or the retry
        // fails with "already exists" and the leftover slows every write.
        const build = batch.transactional ? undefined : current.step.indexBuild;
        const dropped = build ? await dropInvalidLeftovers(client, build).catch(() => null) : null;
        if (RETRYABLE.has(code) && attempt <= retries) {
          const delay = Math.round(backoff * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
          say(`step ${current.index}/${total}: ${code === '55P03' ? 'lock_timeout' : 'deadlock'} (${current.step.lock}); retry ${attempt}/${retries} in ${delay} ms${dropped ? ` (dropped INVALID ${dropped})` : ''}`);
          await sleep(delay);
          continue;
        }
        if (build && dropped && !retriedBuild) {
          retriedBuild = true;
          say(`step ${current.index}/${total}: concurrent build failed (${(err as Error).message}); dropped INVALID ${dropped}, retrying once`);
          continue;
        }
        failed = true;
        const ms = Date.now() - t0;
        for (const item of batch.items) {
          if (item === current) results.push({ index: item.index, step: item.step, status: 'failed', attempts: attempt, durationMs: ms, error: errorOf(err, item.step.sql) });
          else if (item.index < current.index) results.push({ index: item.index, step: item.step, status: 'rolled_back', attempts: attempt, durationMs: 0 });
          else results.push({ index: item.index, step: item.step, status: 'not_run', attempts: 0, durationMs: 0 });
        }
        say(`FAILED step ${current.index}/${total}: ${(err as Error).message}`);
        break;
      }
    }
  }
  return { ok: !failed, results, durationMs: Date.now() - started, lockWaitMs: 0, ...(preflight ? { preflight } : {}), ...(connectionLost ? { connectionLost } : {}) };
}

async function runConcurrent(client: Client, step: PlanStep, o: ExecuteOptions & { pid: number; label: string }, attempt: number): Promise<void> {
  await client.query(`SET lock_timeout = ${Math.max(1, step.lockTimeoutMs)}`);
  await client.query(`SET statement_timeout = ${Math.max(1, step.statementTimeoutMs)}`);
  const monitor = step.indexBuild && o.url && o.onProgress ? await watchIndexBuild(o.url, o.pid, `${o.label} ${step.description}${attempt > 1 ? ' (retry)' : ''}`, o.onProgress) : null;
  try {
    await client.query(step.sql);
  } finally {
    await monitor?.stop();
    await client.query('RESET lock_timeout; RESET statement_timeout');
  }
}

/**
 * After a failed concurrent build: the INVALID index it leaves. CREATE INDEX
 * CONCURRENTLY leaves the index itself; REINDEX CONCURRENTLY leaves a copy named
 * `<index>_ccnew` (`_ccnew1`, … when taken). Returns what was dropped, or null.
 */
async function dropInvalidLeftovers(client: Client, build: IndexBuild): Promise<string | null> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name
       FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND NOT x.indisvalid
        AND (CASE WHEN $3 = 'create' THEN c.relname = $2
             ELSE left(c.relname, length($2)) = $2 AND substr(c.relname, length($2) + 1) ~ '^_ccnew[0-9]*$' END)`,
    [build.index.schema, build.index.name, build.mode],
  );
  if (rows.length === 0) return null;
  for (const row of rows) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${qualify(build.index.schema, row.name)}`);
  return rows.map((r) => `${build.index.schema}.${r.name}`).join(', ');
}
