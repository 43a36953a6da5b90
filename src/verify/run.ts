/**
 * Runs the derived checks one after another on one database. Server checks
 * run as a temporary function inside a transaction that is rolled back, so
 * their rows, the temporary function and any setting they change vanish with
 * it; client checks clean up after themselves (./client-checks.ts).
 */
import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import { connect } from '../db/connection';
import type { Check, CheckOutcome, CheckResult, ServerCheck } from './types';
import { temporaryCheckFunction, TEMP_FUNCTION } from './wrap';

export interface PgTapStatus {
  /** The schema the pgtap extension lives in, or null when it is not installed. */
  readonly schema: string | null;
  readonly version: string | null;
}

export async function pgTapStatus(client: Client): Promise<PgTapStatus> {
  const { rows } = await client.query<{ schema: string; version: string }>(
    `SELECT n.nspname AS schema, e.extversion AS version FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pgtap'`,
  );
  return { schema: rows[0]?.schema ?? null, version: rows[0]?.version ?? null };
}

async function databaseTempBytes(client: Client): Promise<number> {
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ bytes: string }>('SELECT temp_bytes::text AS bytes FROM pg_stat_database WHERE datname = current_database()');
  return Number(rows[0]?.bytes ?? 0);
}

async function runServerCheck(client: Client, check: ServerCheck): Promise<CheckOutcome> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL statement_timeout = ${Math.ceil(check.timeoutMs)}`);
    await client.query(temporaryCheckFunction(check));
    const { rows } = await client.query<{ result: { ok: boolean; measured: string; details: string } }>(`SELECT ${TEMP_FUNCTION}() AS result`);
    const result = rows[0]!.result;
    return { ok: result.ok, measured: result.measured, details: result.details ? [result.details] : [] };
  } catch (err) {
    return { ok: false, measured: `error: ${(err as Error).message}`, details: [] };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/** The temp-spill check also reports pg_stat_database.temp_bytes around it (all sessions of the database). */
async function runTempSpillCheck(client: Client, check: ServerCheck): Promise<CheckOutcome> {
  const before = await databaseTempBytes(client);
  const outcome = await runServerCheck(client, check);
  // Statistics are flushed when a session goes idle, at most once a second unless forced.
  await client.query('SELECT pg_stat_force_next_flush()');
  const after = await databaseTempBytes(client);
  return { ...outcome, details: [...outcome.details, `pg_stat_database.temp_bytes grew by ${after - before} during the check (all sessions of the database)`] };
}

export async function runCheck(client: Client, databaseUrl: string, check: Check): Promise<CheckOutcome> {
  if (check.where === 'client') {
    try {
      return await check.run({ databaseUrl, client });
    } catch (err) {
      return { ok: false, measured: `error: ${(err as Error).message}`, details: [] };
    }
  }
  return check.kind === 'temp_spill' ? runTempSpillCheck(client, check) : runServerCheck(client, check);
}

export interface VerifyRun {
  readonly results: CheckResult[];
  readonly pgTap: PgTapStatus;
}

export async function runChecks(databaseUrl: string, checks: readonly Check[], onResult?: (r: CheckResult) => void): Promise<VerifyRun> {
  const client = await connect(databaseUrl, 'specql verify');
  try {
    const pgTap = await pgTapStatus(client);
    const results: CheckResult[] = [];
    for (const [i, check] of checks.entries()) {
      const t0 = performance.now();
      const outcome = await runCheck(client, databaseUrl, check);
      const result: CheckResult = {
        number: i + 1,
        kind: check.kind,
        entity: check.entity,
        description: check.description,
        ok: outcome.ok,
        measured: outcome.measured,
        details: outcome.details,
        durationMs: performance.now() - t0,
      };
      results.push(result);
      onResult?.(result);
    }
    return { results, pgTap };
  } finally {
    await client.end();
  }
}
