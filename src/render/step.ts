/**
 * Builds PlanSteps with the project defaults, so each renderer states only what
 * differs: the SQL, what the step does, the relation locks it takes, and its
 * hazards. The summary lock is derived from the locks here, once, so the two
 * can never disagree.
 */
import type { QualifiedName } from '../model/objects';
import {
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  INDEX_BUILD_STATEMENT_TIMEOUT_MS,
  strongest,
  type Hazard,
  type HazardCode,
  type IndexBuild,
  type LockMode,
  type PlanStep,
  type RelationLock,
  type StepAction,
} from '../model/step';

export interface StepInput {
  readonly sql: string;
  readonly object: string;
  readonly action: StepAction;
  readonly description: string;
  /** Locks of SHARE UPDATE EXCLUSIVE or stronger on relations that exist before the step's
   *  transaction (weaker modes are what ordinary readers and writers take themselves). */
  readonly locks?: readonly RelationLock[];
  readonly transactional?: boolean;
  readonly lockTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
  readonly hazards?: readonly Hazard[];
  readonly group?: string;
  readonly partition?: QualifiedName;
  readonly indexBuild?: IndexBuild;
}

export function step(input: StepInput): PlanStep {
  // Descriptions become `-- n. …` comment lines in scripts and plans: one line, always.
  if (/[\r\n]/.test(input.description)) throw new Error(`step description must be one line: ${JSON.stringify(input.description)}`);
  const locks = mergeLocks(input.locks ?? []);
  return {
    sql: input.sql,
    object: input.object,
    action: input.action,
    description: input.description,
    locks,
    lock: strongest(locks.map((l) => l.mode)),
    transactional: input.transactional ?? true,
    lockTimeoutMs: input.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    statementTimeoutMs: input.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    hazards: input.hazards ?? [],
    ...(input.group !== undefined ? { group: input.group } : {}),
    ...(input.partition !== undefined ? { partition: input.partition } : {}),
    ...(input.indexBuild !== undefined ? { indexBuild: input.indexBuild } : {}),
  };
}

/**
 * lock_timeout for CONCURRENTLY statements. They queue for SHARE UPDATE
 * EXCLUSIVE, which does not conflict with readers' or writers' locks, and then
 * wait for older transactions to end (virtualxid locks, also bounded by
 * lock_timeout): waiting long blocks nobody's reads or writes, while a short
 * timeout would fail builds behind any long analytics query.
 */
export const CONCURRENT_LOCK_TIMEOUT_MS = 60_000;

/** A CONCURRENTLY statement: outside any transaction block, allowed to run for hours. */
export function concurrentStep(input: Omit<StepInput, 'transactional' | 'statementTimeoutMs' | 'lockTimeoutMs'>): PlanStep {
  return step({ ...input, transactional: false, lockTimeoutMs: CONCURRENT_LOCK_TIMEOUT_MS, statementTimeoutMs: INDEX_BUILD_STATEMENT_TIMEOUT_MS });
}

export const hazard = (code: HazardCode, message: string): Hazard => ({ code, message });

export const lockOn = (relation: QualifiedName, mode: LockMode): RelationLock => ({
  relation: { schema: relation.schema, name: relation.name },
  mode,
});

export const locksOn = (relations: readonly QualifiedName[], mode: LockMode): RelationLock[] => relations.map((r) => lockOn(r, mode));

/** One entry per relation, with the strongest mode named for it; in first-mention order. */
function mergeLocks(locks: readonly RelationLock[]): RelationLock[] {
  const out = new Map<string, RelationLock>();
  for (const lock of locks) {
    const key = `${lock.relation.schema}.${lock.relation.name}`;
    const seen = out.get(key);
    out.set(key, seen ? { relation: seen.relation, mode: strongest([seen.mode, lock.mode]) } : lock);
  }
  return [...out.values()];
}

export const relationName = (r: QualifiedName): string => `${r.schema}.${r.name}`;
