/** The bridge to the generator's create/drop forms (src/sql/render.ts): the
 *  planner never writes a second copy of how an object is created. */
import type { DbObject } from '../model/objects';
import { createSteps, dropSteps } from '../render/by-kind';
import { CONCURRENT_LOCK_TIMEOUT_MS, type PlanContext } from './context';
import type { PlanStep } from '../model/step';

export function createFor(ctx: PlanContext, object: DbObject): PlanStep[] {
  // The renderer uses the default lock_timeout; the plan's own value wins for transactional DDL.
  return createSteps(object, { partitionsOf: (table) => ctx.partitionsOf(table) }).map((s) =>
    s.transactional ? { ...s, lockTimeoutMs: ctx.lockTimeoutMs } : { ...s, lockTimeoutMs: Math.max(s.lockTimeoutMs, CONCURRENT_LOCK_TIMEOUT_MS) },
  );
}

export function dropFor(object: DbObject): PlanStep[] {
  return [...dropSteps(object)];
}
