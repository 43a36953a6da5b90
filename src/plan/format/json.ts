/** The plan for machines: every step with its SQL, object, lock, mode, timeouts and hazards. */
import type { Plan } from '../types';

export function planToJson(plan: Plan): unknown {
  return {
    changes: plan.steps.length > 0,
    steps: plan.steps.map((s, i) => ({
      index: i + 1,
      object: s.object,
      description: s.description,
      sql: s.sql,
      lock: s.lock,
      transactional: s.transactional,
      lockTimeoutMs: s.lockTimeoutMs,
      statementTimeoutMs: s.statementTimeoutMs,
      hazards: s.hazards.map((h) => ({ code: h.code, message: h.message })),
      ...(s.group ? { group: s.group } : {}),
    })),
    hazards: plan.hazards,
    diagnostics: plan.diagnostics,
  };
}

export function formatPlanJson(plan: Plan): string {
  return `${JSON.stringify(planToJson(plan), null, 2)}\n`;
}
