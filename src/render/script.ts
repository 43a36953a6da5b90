/**
 * The complete DDL for a fresh database: every create step of the desired
 * state in order, each preceded by `-- <n>. <description> [lock: X; non-transactional]`.
 * Deterministic: the same desired state always renders byte-identical text.
 */
import type { DesiredState } from '../model/objects';
import type { PlanStep } from '../model/step';
import { contextFrom, createSteps } from './by-kind';

export function scriptSteps(desired: DesiredState): PlanStep[] {
  const context = contextFrom(desired.objects);
  return desired.objects.flatMap((object) => createSteps(object, context));
}

function header(step: PlanStep, n: number): string {
  const notes = [`lock: ${step.lock}`, ...(step.transactional ? [] : ['non-transactional'])];
  // A `--` comment ends at a line break: a description (object names, validated as identifiers) is kept on one line regardless.
  return `-- ${n}. ${step.description.replace(/[\r\n]+/g, ' ')} [${notes.join('; ')}]`;
}

export function renderScript(desired: DesiredState): string {
  const steps = scriptSteps(desired);
  const blocks = steps.map((step, i) => `${header(step, i + 1)}\n${step.sql}`);
  return `${blocks.join('\n\n')}\n`;
}
