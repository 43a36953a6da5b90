/** The planner's output: ordered steps, a hazard summary, and diagnostics
 *  (drift and things the planner will not do, with the reason). */
import type { Diagnostic } from '../diagnostics/diagnostic';
import type { HazardCode, PlanStep } from '../model/step';
import type { DefaultRowsCheck, LossCheck } from '../catalog/types';

export interface HazardSummary {
  readonly code: HazardCode;
  /** Refused by the gate unless allowed by name. */
  readonly blocking: boolean;
  /** 1-based step numbers carrying it. */
  readonly steps: readonly number[];
}

export interface Plan {
  readonly steps: readonly PlanStep[];
  readonly hazards: readonly HazardSummary[];
  readonly diagnostics: readonly Diagnostic[];
  /** Tables/partitions whose drop hazard depends on whether they hold rows and
   *  for which no exact answer was known: the engine checks them and re-plans. */
  readonly rowChecks: readonly { readonly key: string; readonly schema: string; readonly name: string }[];
  /** Lossy type changes whose effect on current rows was not counted yet: the engine counts and re-plans. */
  readonly lossChecks?: readonly LossCheck[];
  /** DEFAULT partitions leaving the spec whose rows were not looked at yet: the engine looks and re-plans. */
  readonly defaultChecks?: readonly DefaultRowsCheck[];
}

export interface PlanOptions {
  /** Restrict the plan to objects of these entities (plus shared schemas and extensions). */
  readonly entities?: readonly string[];
  /** lock_timeout for transactional DDL (default 2 s). */
  readonly lockTimeoutMs?: number;
}
