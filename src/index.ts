/**
 * The package's public API: the Pulumi resources for infrastructure repos,
 * and the engine for programs that plan and apply specs themselves.
 */
export * from './pulumi';
export { loadAndCheckSpecs } from './engine/check';
export {
  applySpecs,
  dropEntity,
  inspectEntity,
  planSpecs,
  HazardsRefusedError,
  ApplyFailedError,
  type EngineOptions,
  type Plan,
  type ApplyReport,
  type EntityOutputs,
  type DesiredState,
} from './engine';
export { copyRows } from './load/copy';
export { bulkLoad } from './load/bulk-load';
export type { Diagnostic } from './diagnostics/diagnostic';
export { renderDiagnostic } from './diagnostics/render';
export { deriveChecks } from './verify/derive';
export { runChecks } from './verify/run';
export { installPgTapTests } from './verify/pgtap';
export type { CheckResult, CheckKind } from './verify/types';
export { runLoadTest, type LoadTestReport } from './loadtest/run';
