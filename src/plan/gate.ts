/** The approval gate: a plan with blocking hazards (deletes_data,
 *  rewrites_table) is refused unless each one is allowed by name; a plan with
 *  error diagnostics (a change the planner will not make online, such as a new
 *  partition key) is refused outright, since applying it would not reach the spec. */
import { BLOCKING_HAZARDS, type Hazard, type HazardCode, type PlanStep } from '../model/step';
import type { Plan } from './types';

export interface Refusal {
  readonly index: number;
  readonly step: PlanStep;
  readonly hazard: Hazard;
}

export interface GateResult {
  readonly ok: boolean;
  readonly refusals: readonly Refusal[];
  /** Empty when ok. */
  readonly message: string;
}

export const ALL_HAZARDS: readonly HazardCode[] = [
  'deletes_data', 'rewrites_table', 'access_exclusive_lock', 'index_build', 'drops_function_used_by_others',
  'view_rebuild', 'moves_rows', 'may_fail_on_existing_data', 'detaches_partition',
];

export function isHazardCode(value: string): value is HazardCode {
  return (ALL_HAZARDS as readonly string[]).includes(value);
}

export function gatePlan(plan: Plan, allowed: readonly HazardCode[] = []): GateResult {
  const allow = new Set(allowed);
  const refusals: Refusal[] = [];
  plan.steps.forEach((step, i) => {
    for (const h of step.hazards) if (BLOCKING_HAZARDS.has(h.code) && !allow.has(h.code)) refusals.push({ index: i + 1, step, hazard: h });
  });
  const errors = plan.diagnostics.filter((d) => d.severity === 'error');
  const errorText = errors.map((d) => `  ${d.message}${d.hint ? ` (${d.hint})` : ''}`).join('\n');
  if (refusals.length === 0 && errors.length === 0) return { ok: true, refusals, message: '' };
  if (refusals.length === 0) return { ok: false, refusals, message: `refusing to apply: the spec asks for changes specql does not make online:\n${errorText}` };
  const codes = [...new Set(refusals.map((r) => r.hazard.code))];
  const lines = refusals.map((r) => `  step ${r.index}: ${r.step.description}\n    ${r.hazard.code}: ${r.hazard.message}`);
  return {
    ok: false,
    refusals,
    message:
      `refusing to apply: ${refusals.length} step(s) carry hazards that need explicit approval:\n${lines.join('\n')}\n` +
      `re-run with --allow-hazards ${codes.join(',')} to apply them anyway` +
      (errors.length ? `\nand the spec asks for changes specql does not make online:\n${errorText}` : ''),
  };
}
