import type { Diagnostic } from './diagnostic';

/** `file:line:col: error: message (fix: hint)` — the format editors and CI annotators understand. */
export function renderDiagnostic(d: Diagnostic): string {
  const where = d.at ? `${d.at.file}:${d.at.line}:${d.at.column}: ` : '';
  const hint = d.hint ? ` Fix: ${d.hint}` : '';
  return `${where}${d.severity}: ${d.message}${hint} [${d.code}]`;
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map(renderDiagnostic).join('\n');
}
