/**
 * Runs a plan the way the executor does (same transaction batches) while
 * recording, from pg_locks, the relation locks each statement takes, and
 * compares them with the locks the step declares.
 *
 * The comparison follows the declaration rules of render/step.ts:
 *  - only modes of SHARE UPDATE EXCLUSIVE or stronger count (weaker ones are
 *    what ordinary readers and writers take themselves);
 *  - relations created inside the step's own transaction are left out;
 *  - an index lock counts only when stronger than its table's lock in the
 *    same statement (a table locked ACCESS EXCLUSIVE implies its indexes).
 * A transactional statement's new locks must all be declared, and every
 * declared lock must be held once it ran (it may have been taken by an
 * earlier statement of the same transaction). A non-transactional
 * (CONCURRENTLY) statement is made to wait behind a transaction holding ROW
 * EXCLUSIVE on its table, and its granted locks are read while it waits.
 */
import type { Client } from 'pg';
import { batches } from '../../src/apply/executor';
import { connect } from '../../src/db/connection';
import { LOCK_STRENGTH, type LockMode, type PlanStep } from '../../src/model/step';
import type { Plan } from '../../src/plan/types';

const MODE: Record<string, LockMode> = {
  AccessShareLock: 'ACCESS SHARE',
  RowShareLock: 'ROW SHARE',
  RowExclusiveLock: 'ROW EXCLUSIVE',
  ShareUpdateExclusiveLock: 'SHARE UPDATE EXCLUSIVE',
  ShareLock: 'SHARE',
  ShareRowExclusiveLock: 'SHARE ROW EXCLUSIVE',
  ExclusiveLock: 'EXCLUSIVE',
  AccessExclusiveLock: 'ACCESS EXCLUSIVE',
};
const strength = (m: LockMode): number => LOCK_STRENGTH.indexOf(m);
const COUNTED = strength('SHARE UPDATE EXCLUSIVE');

interface Relation {
  readonly name: string;
  /** For an index: the oid of its table. */
  readonly table: number | null;
}

export interface LockMismatch {
  readonly step: number;
  readonly sql: string;
  readonly undeclared: string[];
  readonly notHeld: string[];
}

async function relations(client: Client): Promise<Map<number, Relation>> {
  const { rows } = await client.query<{ oid: number; name: string; table: number | null }>(
    `SELECT c.oid::int AS oid, n.nspname || '.' || c.relname AS name, x.indrelid::int AS table
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index x ON x.indexrelid = c.oid
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind IN ('r', 'p', 'i', 'I', 'm')`,
  );
  return new Map(rows.map((r) => [r.oid, { name: r.name, table: r.table }]));
}

async function heldBy(client: Client, pid: number, grantedOnly = true): Promise<Set<string>> {
  const { rows } = await client.query<{ oid: number; mode: string }>(
    `SELECT relation::int AS oid, mode FROM pg_locks WHERE pid = $1 AND locktype = 'relation' ${grantedOnly ? 'AND granted' : ''}`,
    [pid],
  );
  return new Set(rows.map((r) => `${r.oid}:${r.mode}`));
}

/** oid:mode entries → the strongest mode per known relation. */
function strongestPerRelation(entries: Iterable<string>, known: Map<number, Relation>): Map<number, LockMode> {
  const byOid = new Map<number, LockMode>();
  for (const entry of entries) {
    const [oid, mode] = entry.split(':');
    const m = MODE[mode!];
    if (!m || !known.has(Number(oid))) continue;
    const seen = byOid.get(Number(oid));
    if (!seen || strength(m) > strength(seen)) byOid.set(Number(oid), m);
  }
  return byOid;
}

/** The counted locks: modes of SHARE UPDATE EXCLUSIVE or stronger, minus index locks implied by
 *  their table's lock held (by now) at least as strongly. */
function counted(locks: Map<string, LockMode>, held: Map<number, LockMode>, known: Map<number, Relation>): Map<string, LockMode> {
  const oidOf = new Map([...known].map(([oid, r]) => [r.name, oid]));
  const out = new Map<string, LockMode>();
  for (const [name, mode] of locks) {
    if (strength(mode) < COUNTED) continue;
    const table = known.get(oidOf.get(name)!)?.table ?? null;
    const tableMode = table === null ? undefined : held.get(table);
    if (tableMode && strength(tableMode) >= strength(mode)) continue;
    out.set(name, mode);
  }
  return out;
}

const byName = (locks: Map<number, LockMode>, known: Map<number, Relation>): Map<string, LockMode> =>
  new Map([...locks].map(([oid, mode]) => [known.get(oid)!.name, mode]));

function declaredLocks(step: PlanStep, known: Map<number, Relation>): Map<string, LockMode> {
  const names = new Set([...known.values()].map((r) => r.name));
  const out = new Map<string, LockMode>();
  // Relations missing from `known` are created by this transaction: nobody else can see them.
  for (const l of step.locks) if (names.has(`${l.relation.schema}.${l.relation.name}`)) out.set(`${l.relation.schema}.${l.relation.name}`, l.mode);
  return out;
}

const show = (m: Map<string, LockMode>): string[] => [...m].map(([n, mode]) => `${n}:${mode}`).sort();

function compare(index: number, step: PlanStep, fresh: Map<number, LockMode>, held: Map<number, LockMode>, known: Map<number, Relation>): LockMismatch | null {
  const measured = counted(byName(fresh, known), held, known);
  const want = counted(declaredLocks(step, known), held, known);
  const heldByName = byName(held, known);
  const undeclared = show(new Map([...measured].filter(([n, m]) => want.get(n) !== m)));
  const notHeld = show(new Map([...want].filter(([n, m]) => !heldByName.has(n) || strength(heldByName.get(n)!) < strength(m))));
  return undeclared.length || notHeld.length ? { step: index, sql: step.sql, undeclared, notHeld } : null;
}

export async function executeMeasuringLocks(url: string, plan: Plan): Promise<LockMismatch[]> {
  const client = await connect(url, 'specql-lock-measure');
  const observer = await connect(url, 'specql-lock-observer');
  const mismatches: LockMismatch[] = [];
  try {
    const pid = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    for (const batch of batches(plan.steps)) {
      const known = await relations(client);
      if (batch.transactional) {
        await client.query('BEGIN');
        for (const { index, step } of batch.items) {
          // Relations that existed when the transaction began, under their names of the moment
          // (a rename or SET SCHEMA earlier in the same transaction shows).
          const current = await relations(client);
          const names = new Map([...known.keys()].filter((oid) => current.has(oid)).map((oid) => [oid, current.get(oid)!]));
          const before = await heldBy(observer, pid);
          await client.query(step.sql);
          const after = await heldBy(observer, pid);
          const fresh = [...after].filter((e) => !before.has(e));
          const mismatch = compare(index, step, strongestPerRelation(fresh, names), strongestPerRelation(after, names), names);
          if (mismatch) mismatches.push(mismatch);
        }
        await client.query('COMMIT');
      } else {
        const { index, step } = batch.items[0]!;
        const table = step.locks[0]?.relation;
        if (!table) throw new Error(`non-transactional step ${index} declares no lock: ${step.sql}`);
        const blocker = await connect(url, 'specql-lock-blocker');
        await blocker.query('BEGIN');
        await blocker.query(`LOCK TABLE ${table.schema}.${table.name} IN ROW EXCLUSIVE MODE`);
        const running = client.query(step.sql);
        let seen: Map<number, LockMode> | null = null;
        for (let i = 0; i < 400 && seen === null; i++) {
          const waiting = await observer.query(`SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted`, [pid]);
          if (waiting.rows.length > 0) seen = strongestPerRelation(await heldBy(observer, pid), known);
          else await new Promise((r) => setTimeout(r, 25));
        }
        await blocker.query('COMMIT');
        await blocker.end();
        await running;
        if (seen === null) throw new Error(`step ${index} never waited behind the blocker: ${step.sql}`);
        const mismatch = compare(index, step, seen, seen, known);
        if (mismatch) mismatches.push(mismatch);
      }
    }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
    await observer.end();
  }
  return mismatches;
}
