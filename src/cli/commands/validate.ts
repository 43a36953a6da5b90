/**
 * `specql validate <path...>`: loads every spec file under the paths as one
 * set and prints each problem as `file:line:col: severity: message Fix: hint [code]`
 * on stderr. Exit 0 when there are no errors (warnings alone still pass), 1 otherwise.
 */
import { hasErrors } from '../../diagnostics/diagnostic';
import { renderDiagnostic } from '../../diagnostics/render';
import { loadAndCheckSpecs } from '../../engine/check';

export async function run(args: string[]): Promise<number> {
  const paths = args.filter((a) => !a.startsWith('-'));
  if (paths.length === 0 || args.some((a) => a === '--help' || a === '-h')) {
    process.stderr.write('usage: specql validate <file-or-directory...>\n');
    return 1;
  }
  const { specs, diagnostics } = await loadAndCheckSpecs(paths);
  for (const d of diagnostics) process.stderr.write(`${renderDiagnostic(d)}\n`);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (hasErrors(diagnostics)) {
    process.stderr.write(`${errors} error(s), ${warnings} warning(s)\n`);
    return 1;
  }
  process.stdout.write(`${specs.entities.length} entities valid${warnings ? `, ${warnings} warning(s)` : ''}\n`);
  return 0;
}
