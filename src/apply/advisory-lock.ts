/**
 * One apply at a time per database schema: a session-level advisory lock per
 * `<database>/<schema>`, taken in sorted order (so two applies over
 * overlapping schema sets cannot deadlock). try-lock first; when busy, say
 * who holds it and wait — at most `waitMs` (default 60 s), then fail with
 * LockWaitTimeoutError naming the holder (pid, application_name, user, client,
 * when its session started, its state): an orphaned session holding the lock
 * must not make an apply (or a CI job) hang without end.
 *
 * Waiting is a poll of pg_try_advisory_lock with no statement open in
 * between, never a blocking pg_advisory_lock: a session blocked inside
 * `SELECT pg_advisory_lock(…)` holds a snapshot, and the holder's
 * CREATE INDEX CONCURRENTLY waits for every older snapshot to finish — the two
 * applies would deadlock (seen in test/apply/lock.test.ts).
 */
import { createHash } from 'node:crypto';
import type { Client } from 'pg';
import { connectionLost, isConnectionLoss } from '../db/connection';

/** A signed 64-bit key from the lock name (pg_advisory_lock(bigint)). */
export function lockKey(database: string, schema: string): bigint {
  const digest = createHash('sha256').update(`specql:${database}/${schema}`).digest();
  return digest.readBigInt64BE(0);
}

/** How long an apply waits for another holder of its advisory lock, unless told otherwise. */
export const DEFAULT_LOCK_WAIT_MS = 60_000;

/** The session holding an apply lock, as pg_locks and pg_stat_activity show it (nulls where not visible to us). */
export interface LockHolder {
  readonly pid: number;
  readonly applicationName: string | null;
  readonly user: string | null;
  readonly clientAddr: string | null;
  /** When the holder's session started: a session-level advisory lock is taken at or after it. */
  readonly backendStart: string | null;
  readonly state: string | null;
  readonly stateChange: string | null;
}

export function describeHolder(h: LockHolder): string {
  const parts = [
    `pid ${h.pid}`,
    `application_name ${JSON.stringify(h.applicationName ?? '')}`,
    ...(h.user ? [`user ${h.user}`] : []),
    ...(h.clientAddr ? [`client ${h.clientAddr}`] : []),
    ...(h.backendStart ? [`session started ${h.backendStart}`] : []),
    ...(h.state ? [`state ${h.state}${h.stateChange ? ` since ${h.stateChange}` : ''}`] : []),
  ];
  return parts.join(', ');
}

/** The wait for another holder ran out. */
export class LockWaitTimeoutError extends Error {
  readonly code = 'specql.lock_wait_timeout';
  constructor(
    readonly lock: string,
    readonly waitedMs: number,
    readonly holder: LockHolder | null,
  ) {
    super(
      `gave up after waiting ${formatMs(waitedMs)} for the apply lock on ${lock}: ${holder ? `held by ${describeHolder(holder)}` : 'held by another session (it could not be identified)'}. ` +
        `If that is another specql apply, let it finish; if it is an orphaned session, end it (SELECT pg_terminate_backend(${holder?.pid ?? '<pid>'})); to wait longer, raise --lock-wait (Pulumi: lockWait).`,
    );
    this.name = 'LockWaitTimeoutError';
  }
}

const formatMs = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

/**
 * A duration for --lock-wait / lockWait: `90s`, `2m`, `500ms`, `1h`, or a bare
 * number of seconds; `0` means "do not wait". Returns milliseconds, or null
 * when the text is not a duration.
 */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit === 'ms' ? 1 : unit === 's' || unit === 'sec' ? 1000 : unit === 'm' || unit === 'min' ? 60_000 : 3_600_000;
  return Math.round(Number(m[1]) * factor);
}

export interface LockOptions {
  /** Longest total wait for other holders (default DEFAULT_LOCK_WAIT_MS); 0 fails at once when held. */
  readonly waitMs?: number;
}

export interface HeldLocks {
  release(): Promise<void>;
  /** Milliseconds spent waiting for other holders. */
  readonly waitedMs: number;
}

export async function acquireApplyLocks(
  client: Client,
  schemas: readonly string[],
  onWait: (message: string) => void = () => undefined,
  options: LockOptions = {},
): Promise<HeldLocks> {
  const budget = Math.max(0, options.waitMs ?? DEFAULT_LOCK_WAIT_MS);
  const database = String((await client.query('SELECT current_database() AS d')).rows[0].d);
  const keys = [...new Set(schemas)].sort().map((schema) => ({ schema, key: lockKey(database, schema) }));
  const held: bigint[] = [];
  let waited = 0;
  try {
    for (const { schema, key } of keys) {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key.toString()]);
      if (!rows[0]!.ok) {
        const holder = await lockHolder(client, key);
        onWait(
          `another specql apply holds the lock on ${database}/${schema}${holder ? ` (pid ${holder.pid}${holder.applicationName ? `, ${holder.applicationName}` : ''})` : ''}; waiting up to ${formatMs(Math.max(0, budget - waited))}…`,
        );
        const t0 = Date.now();
        const got = await pollLock(client, key, budget - waited);
        waited += Date.now() - t0;
        if (!got) throw new LockWaitTimeoutError(`${database}/${schema}`, waited, (await lockHolder(client, key)) ?? holder);
      }
      held.push(key);
    }
  } catch (err) {
    await releaseAll(client, held);
    throw err;
  }
  return { release: () => releaseAll(client, held), waitedMs: waited };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until the lock is ours (true) or `budgetMs` ran out (false). */
async function pollLock(client: Client, key: bigint, budgetMs: number, everyMs = 250): Promise<boolean> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(everyMs, left));
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key.toString()]);
    if (rows[0]!.ok) return true;
  }
}

async function releaseAll(client: Client, keys: readonly bigint[]): Promise<void> {
  // A session-level advisory lock ends with its session: after a lost
  // connection there is nothing to release (and no way to try).
  if (connectionLost(client)) return;
  try {
    for (const key of [...keys].reverse()) await client.query('SELECT pg_advisory_unlock($1::bigint)', [key.toString()]);
  } catch (err) {
    // The server may report the termination before the socket closes: the same case.
    if (!isConnectionLoss(err)) throw err;
  }
}

/** pg_locks stores a bigint advisory key as classid (high 32 bits) / objid (low 32 bits), objsubid 1. */
async function lockHolder(client: Client, key: bigint): Promise<LockHolder | null> {
  const unsigned = BigInt.asUintN(64, key);
  const high = (unsigned >> 32n).toString();
  const low = (unsigned & 0xffffffffn).toString();
  const { rows } = await client.query<{ pid: number; application_name: string | null; usename: string | null; client_addr: string | null; backend_start: string | null; state: string | null; state_change: string | null }>(
    `SELECT l.pid, a.application_name, a.usename::text AS usename, host(a.client_addr) AS client_addr,
            to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS backend_start, a.state,
            to_char(a.state_change AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS state_change
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1`,
    [high, low],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    pid: r.pid,
    applicationName: r.application_name,
    user: r.usename,
    clientAddr: r.client_addr,
    backendStart: r.backend_start,
    state: r.state,
    stateChange: r.state_change,
  };
}
