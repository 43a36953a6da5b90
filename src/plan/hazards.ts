/** The plan-level hazard summary (each step's hazards are written by its renderer, src/render). */
import { BLOCKING_HAZARDS, type HazardCode, type PlanStep } from '../model/step';
import type { HazardSummary } from './types';

export function summarizeHazards(steps: readonly PlanStep[]): HazardSummary[] {
  const byCode = new Map<HazardCode, number[]>();
  steps.forEach((step, i) => {
    for (const h of step.hazards) {
      const list = byCode.get(h.code) ?? [];
      if (!list.includes(i + 1)) list.push(i + 1);
      byCode.set(h.code, list);
    }
  });
  return [...byCode.entries()]
    .map(([code, list]) => ({ code, blocking: BLOCKING_HAZARDS.has(code), steps: list }))
    .sort((a, b) => Number(b.blocking) - Number(a.blocking) || a.code.localeCompare(b.code));
}
