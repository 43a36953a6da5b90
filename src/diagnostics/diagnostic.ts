/**
 * One diagnostic shape for every stage (spec loading, validation, planning,
 * the provider's check): detection builds these as data, and one renderer
 * (./render.ts) turns them into `file:line:col: severity: message` lines.
 */
export type Severity = 'error' | 'warning';

/** A 1-based position in a spec file. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface Diagnostic {
  /** Stable machine-readable code, e.g. `yaml.duplicate_key`, `index.hash_multicolumn`. */
  readonly code: string;
  readonly severity: Severity;
  /** What is wrong, in one sentence. */
  readonly message: string;
  /** How to fix it, when we know. */
  readonly hint?: string;
  /** Where; absent only for problems that have no place in a file. */
  readonly at?: SourcePosition;
  /** The spec path (`indexes[1].type`) or object the problem is about. */
  readonly subject?: string;
}

export class DiagnosticsError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('\n'));
    this.name = 'DiagnosticsError';
  }
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean => diagnostics.some((d) => d.severity === 'error');
