/**
 * Loading as every edge needs it: spec diagnostics first, then — when the
 * specs themselves are valid — the generator's own checks, so a spec that
 * would fail later fails here, with its position.
 */
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic';
import { generationDiagnostics } from '../desired/check';
import { loadSpecs } from '../spec/load';
import type { SpecSet } from '../spec/model';

export async function loadAndCheckSpecs(paths: string[]): Promise<{ specs: SpecSet; diagnostics: Diagnostic[] }> {
  const { specs, diagnostics } = await loadSpecs(paths);
  if (hasErrors(diagnostics)) return { specs, diagnostics };
  return { specs, diagnostics: [...diagnostics, ...generationDiagnostics(specs)] };
}
