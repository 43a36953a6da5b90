/** What every rule sees: desired and live objects by key, live facts, who owns
 *  what, the render context of the state the plan leads to, and a sink for
 *  steps and diagnostics. Rules decide WHAT to do; the renderers (src/render)
 *  say how: SQL, locks, transactionality and hazards. */
import type { DefaultRowsCheck, LiveCatalog, LossCheck } from '../catalog/types';
import type { Diagnostic } from '../diagnostics/diagnostic';
import type { DbObject, DesiredState, PartitionObject, QualifiedName } from '../model/objects';
import { objectKey } from '../model/objects';
import { DEFAULT_LOCK_TIMEOUT_MS, type PlanStep } from '../model/step';
import type { RenderContext } from '../render/context';
import type { Phase, PhasedStep } from './order';
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
  /** A partition this plan creates that the desired state does not list: counted by partitionsOf from now on. */
  addPartition(partition: PartitionObject): void;
  /** The objects around the one being rendered, as they are when the plan has run. */
  readonly render: RenderContext;
  readonly lockTimeoutMs: number;
  /** Queues a step in a phase; transactional steps get the plan's lock_timeout. */
  emit(phase: Phase, step: PlanStep): void;
  diagnose(diagnostic: Diagnostic): void;
  /** Keys of live objects a rule already dealt with (temporary names etc.): no drift report, no drop. */
  readonly handled: Set<string>;
  /** Triggers that must be recreated because their function is dropped and recreated. */
  readonly recreateTriggers: Set<string>;
  /** Materialized views put aside (snapshot) around a column change, by key → why: rebuilt in the Views phase. */
  readonly rebuildViews: Map<string, string>;
  readonly rowChecks: Map<string, { key: string; schema: string; name: string }>;
  readonly lossChecks: Map<string, LossCheck>;
  readonly defaultChecks: Map<string, DefaultRowsCheck>;
  readonly steps: PhasedStep[];
  readonly diagnostics: Diagnostic[];
}

export function keyed(objects: readonly DbObject[]): Map<string, DbObject> {
  const map = new Map<string, DbObject>();
  for (const o of objects) map.set(objectKey(o), o);
  return map;
}

export const DEFAULT_PLAN_LOCK_TIMEOUT_MS = DEFAULT_LOCK_TIMEOUT_MS;

/** Emits every step of a renderer's output into one phase. */
export function emitAll(ctx: PlanContext, phase: Phase, steps: readonly PlanStep[]): void {
  for (const step of steps) ctx.emit(phase, step);
}
