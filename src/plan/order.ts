/**
 * Dependency order as phases: schemas and extensions first; dependents are
 * dropped before what they depend on; tables before partitions before indexes;
 * functions before the triggers that call them; a view's source before the
 * view; columns dropped after the views that stop reading them are rebuilt;
 * drops of whole tables last. Within a phase, steps keep the order the
 * rules emitted them (the generator's creation order).
 */
import type { PlanStep } from '../model/step';

export enum Phase {
  Schemas = 0,
  Extensions = 1,
  DropTriggers = 2,
  DropViews = 3,
  DropIndexes = 4,
  DropFunctions = 5,
  Tables = 6,
  Partitions = 7,
  Indexes = 8,
  Functions = 9,
  Triggers = 10,
  Views = 11,
  DropColumns = 12,
  Cron = 13,
  Archive = 14,
  DropTables = 15,
  Comments = 16,
}

export interface PhasedStep {
  readonly phase: Phase;
  readonly seq: number;
  readonly step: PlanStep;
}

/** Sorted by phase; a statement emitted twice for the same object (two rules
 *  both dropping a trigger, say) is kept once, at its first position. */
export function orderSteps(steps: readonly PhasedStep[]): PlanStep[] {
  const seen = new Set<string>();
  return [...steps]
    .sort((a, b) => a.phase - b.phase || a.seq - b.seq)
    .map((s) => s.step)
    .filter((step) => {
      const key = `${step.object}\u0000${step.sql}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
