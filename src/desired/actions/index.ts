/**
 * Objects generated for an entity's actions (bulk load, workflows).
 * build.ts calls it once per entity, after every entity table exists in the plan.
 *
 * Needs the PostgreSQL parser loaded (`await loadExpressionParser()` from src/model/expression, or loadSpecs).
 * Throws a DiagnosticsError listing every workflow that cannot be generated exactly.
 */
import { DiagnosticsError, type Diagnostic } from '../../diagnostics/diagnostic';
import type { BulkOperationAction, EntitySpec, SpecSet, WorkflowAction } from '../../spec/model';
import type { DbObject, FunctionObject, TableObject } from '../../model/objects';
import { bulkFunction, type SelfEnqueue } from './bulk';
import { workflowObjects, type WorkflowObjects } from './workflow';

export interface ActionObjects {
  /** Tables (queues), functions and triggers, in creation order. */
  readonly objects: readonly DbObject[];
  readonly functions: readonly string[];
  readonly triggers: readonly string[];
  readonly queue: string | null;
  /** Each async workflow's queue and the processor that drains it (for the worker and pg_cron). */
  readonly drains: readonly { readonly queue: TableObject; readonly processor: FunctionObject }[];
}

export { loadExpressionParser as loadParser } from '../../model/expression';

/** The problems actionObjects would throw for, as data (for `specql validate`); [] when generation succeeds. */
export function actionDiagnostics(entity: EntitySpec, specs: SpecSet): Diagnostic[] {
  try {
    actionObjects(entity, specs);
    return [];
  } catch (err) {
    if (err instanceof DiagnosticsError) return [...err.diagnostics];
    throw err;
  }
}

export function actionObjects(entity: EntitySpec, specs: SpecSet): ActionObjects {
  const bulkActions = entity.actions.filter((a): a is BulkOperationAction => a.kind === 'bulk_operation');
  const workflows = entity.actions.filter((a): a is WorkflowAction => a.kind === 'workflow');
  const bulkEnqueues = bulkActions.some((a) => a.hints.disableTriggers);

  const diagnostics: Diagnostic[] = [];
  const generated: WorkflowObjects[] = [];
  for (const workflow of workflows) {
    try {
      generated.push(workflowObjects(entity, workflow, specs, { bulkEnqueues }));
    } catch (err) {
      if (err instanceof DiagnosticsError) diagnostics.push(...err.diagnostics);
      else throw err;
    }
  }
  if (diagnostics.length) throw new DiagnosticsError(diagnostics);

  const enqueues: SelfEnqueue[] = generated.flatMap((w) => (w.queue ? [{ queue: w.queue, fields: w.queueFields }] : []));
  const objects: DbObject[] = [];
  // Queues first (the bulk function and the enqueue triggers insert into them), then the
  // workflow functions and triggers, then the bulk functions.
  for (const w of generated) if (w.queue) objects.push(w.queue);
  for (const w of generated) objects.push(...w.functions, w.trigger);
  for (const b of bulkActions) objects.push(bulkFunction(entity, b, enqueues));

  // Output names are unqualified, like every name in EntityOutputs (its `schema` says where).
  const queues = generated.flatMap((w) => (w.queue ? [w.queue.name] : []));
  return {
    objects,
    functions: objects.flatMap((o) => (o.kind === 'function' ? [o.name] : [])),
    triggers: objects.flatMap((o) => (o.kind === 'trigger' ? [o.name] : [])),
    // EntityOutputs has room for one queue; with several workflows the first is reported.
    queue: queues[0] ?? null,
    drains: generated.flatMap((w) => {
      // The processor is the workflow function that takes a batch size (see workflow.ts).
      const processor = w.functions.find((f) => f.args.some((a) => a.name === 'p_batch_size'));
      return w.queue && processor ? [{ queue: w.queue, processor }] : [];
    }),
  };
}
