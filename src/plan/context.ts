/** What every rule sees: desired and live objects by key, live facts, who owns
 *  what, and a sink for steps and diagnostics. */
import type { LiveCatalog } from '../catalog/types';
import type { Diagnostic } from '../diagnostics/diagnostic';
import type { DbObject, DesiredState, PartitionObject, QualifiedName } from '../model/objects';
import { objectKey } from '../model/objects';
import { DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS, INDEX_BUILD_STATEMENT_TIMEOUT_MS, type Hazard, type LockMode, type PlanStep } from '../model/step';
import { Phase, type PhasedStep } from './order';
import type { PlanOptions } from './types';

export interface PlanContext {
  readonly desired: DesiredState;
  readonly live: LiveCatalog;
  readonly options: PlanOptions;
  readonly desiredByKey: ReadonlyMap<string, DbObject>;
  readonly liveByKey: ReadonlyMap<string, DbObject>;
  /** Entity owning a desired object (null: shared, e.g. schemas). */
  desiredEntity(object: DbObject): string | null;
  /** Entity owning a live object by its marker, or its table's marker. */
  liveEntity(object: DbObject): string | null;
  /** Whether specql created the live object (it carries a marker). */
  owned(object: DbObject): boolean;
  inScope(entity: string | null): boolean;
  /** Partitions attached to a table once the plan has run (live kept + desired new). */
  partitionsOf(table: QualifiedName): PartitionObject[];
  readonly lockTimeoutMs: number;
  emit(phase: Phase, step: PlanStep): void;
  diagnose(diagnostic: Diagnostic): void;
  /** Keys of live objects a rule already dealt with (temporary names etc.): no drift report, no drop. */
  readonly handled: Set<string>;
  /** Triggers that must be recreated because their function is dropped and recreated. */
  readonly recreateTriggers: Set<string>;
  readonly rowChecks: Map<string, { key: string; schema: string; name: string }>;
  readonly steps: PhasedStep[];
  readonly diagnostics: Diagnostic[];
}

export interface StepInput {
  readonly sql: string;
  readonly object: string;
  readonly description: string;
  readonly lock: LockMode;
  readonly hazards?: readonly Hazard[];
  readonly transactional?: boolean;
  readonly lockTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
  readonly group?: string;
}

/** Fills the defaults: transactional DDL with the plan's short lock_timeout. */
export function makeStep(ctx: Pick<PlanContext, 'lockTimeoutMs'>, input: StepInput): PlanStep {
  const transactional = input.transactional ?? true;
  return {
    sql: input.sql,
    object: input.object,
    description: input.description,
    lock: input.lock,
    transactional,
    lockTimeoutMs: input.lockTimeoutMs ?? (transactional ? ctx.lockTimeoutMs : CONCURRENT_LOCK_TIMEOUT_MS),
    statementTimeoutMs: input.statementTimeoutMs ?? (transactional ? DEFAULT_STATEMENT_TIMEOUT_MS : INDEX_BUILD_STATEMENT_TIMEOUT_MS),
    hazards: input.hazards ?? [],
    ...(input.group ? { group: input.group } : {}),
  };
}

export function keyed(objects: readonly DbObject[]): Map<string, DbObject> {
  const map = new Map<string, DbObject>();
  for (const o of objects) map.set(objectKey(o), o);
  return map;
}

export const DEFAULT_PLAN_LOCK_TIMEOUT_MS = DEFAULT_LOCK_TIMEOUT_MS;

/**
 * lock_timeout for CONCURRENTLY statements. They queue for SHARE UPDATE
 * EXCLUSIVE, which does not conflict with readers' or writers' locks, and then
 * wait for older transactions to end (virtualxid locks, also bounded by
 * lock_timeout): waiting long blocks nobody's reads or writes, while a short
 * timeout would fail builds behind any long analytics query.
 */
export const CONCURRENT_LOCK_TIMEOUT_MS = 60_000;
