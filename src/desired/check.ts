/**
 * Problems only the generator can see — today, a workflow assignment that
 * cannot be batched exactly — returned as diagnostics with their spec
 * positions, so `specql validate`, every CLI command and the Pulumi check
 * report them as file:line:col before anything is generated or applied.
 */
import type { Diagnostic } from '../diagnostics/diagnostic';
import type { SpecSet } from '../spec/model';
import { actionDiagnostics } from './actions';

export function generationDiagnostics(specs: SpecSet): Diagnostic[] {
  return specs.entities.flatMap((entity) => actionDiagnostics(entity, specs));
}
