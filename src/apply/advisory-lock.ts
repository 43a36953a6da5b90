/**
 * One apply at a time per database schema: a session-level advisory lock per
 * `<database>/<schema>`, taken in sorted order (so two applies over
 * overlapping schema sets cannot deadlock). try-lock first; when busy, say
 * who holds it and wait.
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

export interface HeldLocks {
  release(): Promise<void>;
  /** Milliseconds spent waiting for other holders. */
  readonly waitedMs: number;
}

export async function acquireApplyLocks(
  client: Client,
  schemas: readonly string[],
  onWait: (message: string) => void = () => undefined,
): Promise<HeldLocks> {
  const database = String((await client.query('SELECT current_database() AS d')).rows[0].d);
  const keys = [...new Set(schemas)].sort().map((schema) => ({ schema, key: lockKey(database, schema) }));
  const held: bigint[] = [];
  let waited = 0;
  try {
    for (const { schema, key } of keys) {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key.toString()]);
      if (!rows[0]!.ok) {
        const holder = await holderPid(client, key);
        onWait(`another specql apply holds the lock on ${database}/${schema}${holder ? ` (pid ${holder})` : ''}; waiting…`);
        const t0 = Date.now();
        await pollLock(client, key);
        waited += Date.now() - t0;
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

async function pollLock(client: Client, key: bigint, everyMs = 250): Promise<void> {
  for (;;) {
    await sleep(everyMs);
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key.toString()]);
    if (rows[0]!.ok) return;
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
async function holderPid(client: Client, key: bigint): Promise<number | null> {
  const unsigned = BigInt.asUintN(64, key);
  const high = (unsigned >> 32n).toString();
  const low = (unsigned & 0xffffffffn).toString();
  const { rows } = await client.query<{ pid: number }>(
    `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::oid AND objid = $2::oid AND objsubid = 1
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1`,
    [high, low],
  );
  return rows[0]?.pid ?? null;
}
