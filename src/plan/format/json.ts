/** The plan for machines: every step with its SQL, object, action, locks per relation, mode, timeouts and hazards. */
import type { Plan } from '../types';

export function planToJson(plan: Plan): unknown {
  return {
    changes: plan.steps.length > 0,
    steps: plan.steps.map((s, i) => ({
      index: i + 1,
      object: s.object,
      action: s.action,
      description: s.description,
      sql: s.sql,
      lock: s.lock,
      locks: s.locks.map((l) => ({ relation: `${l.relation.schema}.${l.relation.name}`, mode: l.mode })),
      transactional: s.transactional,
      lockTimeoutMs: s.lockTimeoutMs,
      statementTimeoutMs: s.statementTimeoutMs,
      hazards: s.hazards.map((h) => ({ code: h.code, message: h.message })),
      ...(s.group ? { group: s.group } : {}),
      ...(s.partition ? { partition: `${s.partition.schema}.${s.partition.name}` } : {}),
    })),
    hazards: plan.hazards,
    diagnostics: plan.diagnostics,
  };
}

export function formatPlanJson(plan: Plan): string {
  return `${JSON.stringify(planToJson(plan), null, 2)}\n`;
}
