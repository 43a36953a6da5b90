/** Builds PlanSteps with the project defaults, so each renderer states only what differs. */
import {
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  INDEX_BUILD_STATEMENT_TIMEOUT_MS,
  type Hazard,
  type HazardCode,
  type LockMode,
  type PlanStep,
} from '../model/step';

export interface StepInput {
  readonly sql: string;
  readonly object: string;
  readonly description: string;
  readonly lock: LockMode;
  readonly transactional?: boolean;
  readonly lockTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
  readonly hazards?: readonly Hazard[];
}

export function step(input: StepInput): PlanStep {
  return {
    sql: input.sql,
    object: input.object,
    description: input.description,
    lock: input.lock,
    transactional: input.transactional ?? true,
    lockTimeoutMs: input.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    statementTimeoutMs: input.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    hazards: input.hazards ?? [],
  };
}

/** A CONCURRENTLY statement: outside any transaction block, allowed to run for hours. */
export function concurrentStep(input: Omit<StepInput, 'transactional' | 'statementTimeoutMs'>): PlanStep {
  return step({ ...input, transactional: false, statementTimeoutMs: INDEX_BUILD_STATEMENT_TIMEOUT_MS });
}

export const hazard = (code: HazardCode, message: string): Hazard => ({ code, message });
