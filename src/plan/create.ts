/** The bridge to the generator's create/drop forms (src/sql/render.ts): the
 *  planner never writes a second copy of how an object is created. */
import type { DbObject } from '../desired/objects';
import { createSteps, dropSteps } from '../sql/render';
import type { PlanContext } from './context';
import type { PlanStep } from './step';

export function createFor(ctx: PlanContext, object: DbObject): PlanStep[] {
  return [...createSteps(object, { partitionsOf: (table) => ctx.partitionsOf(table) })];
}

export function dropFor(object: DbObject): PlanStep[] {
  return [...dropSteps(object)];
}
