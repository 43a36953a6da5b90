/**
 * Workflow queues (`<action>_queue`) are tables with the `queue` role: created
 * and altered like any table (./tables.ts). What differs is what a drop loses:
 * rows still queued are inserts whose metric updates never ran.
 */
import type { TableObject } from '../model/objects';
import type { PlanStep } from '../model/step';
import type { RenderContext } from './context';
import { hazard, relationName } from './step';
import { dropTable } from './tables';

export function dropQueue(context: RenderContext, queue: TableObject, holdsRows: boolean | null, why: string): PlanStep {
  const step = dropTable(context, queue, holdsRows, why);
  if (holdsRows === false) return step;
  return {
    ...step,
    hazards: [hazard('deletes_data', `${relationName(queue)} ${holdsRows ? 'holds' : 'may hold'} queued rows whose metric updates have not run yet; they are lost (drain it first: SELECT the processor until it returns 0)`)],
  };
}
