/**
 * The complete DDL for a fresh database: the plan against an empty catalog,
 * so `specql sql` and `specql apply` on an empty database run the very same
 * statements (ownership markers included), each preceded by
 * `-- <n>. <description> [lock: X; non-transactional]`.
 * Deterministic: the same desired state always renders byte-identical text.
 */
import { emptyCatalog } from '../catalog/empty';
import type { DesiredState } from '../model/objects';
import type { PlanStep } from '../model/step';
import { planChanges } from './plan';

export function scriptSteps(desired: DesiredState): readonly PlanStep[] {
  return planChanges(desired, emptyCatalog()).steps;
}

function header(step: PlanStep, n: number): string {
  const notes = [`lock: ${step.lock}`, ...(step.transactional ? [] : ['non-transactional'])];
  return `-- ${n}. ${step.description} [${notes.join('; ')}]`;
}

export function renderScript(desired: DesiredState): string {
  const blocks = scriptSteps(desired).map((step, i) => `${header(step, i + 1)}\n${step.sql}`);
  return `${blocks.join('\n\n')}\n`;
}
