/** What apply did, per step: nothing is swallowed — a failed step carries its
 *  error, SQLSTATE and SQL; steps after it are listed as not run. */
import type { PlanStep } from '../model/step';
import type { PreflightSummary } from './preflight';

export type StepStatus =
  /** Committed (or, for non-transactional steps, completed). */
  | 'applied'
  | 'failed'
  /** Ran inside a transaction that was rolled back because a later step of it failed. */
  | 'rolled_back'
  | 'not_run';

export interface StepResult {
  /** 1-based position in the plan. */
  readonly index: number;
  readonly step: PlanStep;
  readonly status: StepStatus;
  readonly attempts: number;
  readonly durationMs: number;
  readonly error?: { readonly message: string; readonly code: string | null; readonly sql: string };
  /** Set on the step the pre-flight found PostgreSQL refuses: the plan was not run at all. */
  readonly preflight?: true;
}

export interface ApplyReport {
  readonly ok: boolean;
  readonly results: readonly StepResult[];
  readonly durationMs: number;
  /** Time spent waiting for another specql apply's advisory lock. */
  readonly lockWaitMs: number;
  /** Set when the apply's own database session was lost mid-run (terminated backend,
   *  failover): the server rolled back the open transaction; committed steps stay. */
  readonly connectionLost?: string;
  /** The rolled-back rehearsal that ran before the first write (./preflight.ts); absent when skipped. */
  readonly preflight?: PreflightSummary;
}

export function reportText(report: ApplyReport): string {
  const lines: string[] = [];
  for (const r of report.results) {
    const mark = { applied: 'ok  ', failed: 'FAIL', rolled_back: 'undo', not_run: 'skip' }[r.status];
    lines.push(`${mark} ${String(r.index).padStart(3)}. ${r.step.description}${r.status === 'applied' ? ` (${r.durationMs} ms${r.attempts > 1 ? `, ${r.attempts} attempts` : ''})` : ''}`);
    if (r.error) lines.push(`       error ${r.error.code ?? ''}: ${r.error.message}\n       sql: ${r.error.sql.replace(/\n/g, '\n            ')}`);
  }
  const p = report.preflight;
  if (p && !p.ok && !report.connectionLost) lines.push(`refused by the pre-flight (a rolled-back rehearsal): step ${p.failed?.index} fails, so nothing was written`);
  else if (p && p.skipped.length > 0) lines.push(`pre-flight: rehearsed ${p.rehearsed.length} steps; not rehearsed: ${p.skipped.map((s) => `${s.index} (${s.reason === 'not_transactional' ? 'concurrent' : 'rewrites, moves rows, refreshes, drains or waits'})`).join(', ')}${p.unverified.length ? `; unverified after them: ${p.unverified.map((u) => u.index).join(', ')}` : ''}`);
  const applied = report.results.filter((r) => r.status === 'applied').length;
  lines.push(`${report.ok ? 'applied' : 'FAILED:'} ${applied}/${report.results.length} steps in ${report.durationMs} ms`);
  if (report.connectionLost) {
    lines.push(
      `the apply's database session was lost (${report.connectionLost}): the steps marked ok are committed, the failed step did not complete (the server rolled back its transaction); run apply again to finish (it re-reads the database and cleans up what was left half-done)`,
    );
  }
  return lines.join('\n');
}
