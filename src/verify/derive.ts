/**
 * The checks the specs imply, in report order: the seed's eight performance
 * tests (each for every entity it applies to), then the structural checks.
 */
import { viewKeyIndexName } from '../desired/naming';
import { fitIdentifier } from '../model/ident';
import type { BulkOperationAction, EntitySpec, SpecSet, WorkflowAction } from '../spec/model';
import { concurrentClientsCheck, concurrentReindexCheck } from './client-checks';
import {
  analyticsQueries,
  analyticsQueryCheck,
  bulkLoadCheck,
  partitionPruningCheck,
  tempSpillCheck,
  triggerOverheadCheck,
  viewRefreshCheck,
} from './performance-checks';
import { defaultEmptyCheck, definerSearchPathCheck, futurePartitionsCheck, indexValidCheck } from './structural-checks';
import { CHECK_KINDS, type Check, type CheckKind } from './types';

export interface DeriveOptions {
  /** Only these entities (by name); all when absent. */
  readonly entities?: readonly string[];
  /** Per-environment premake (as `specql apply --premake`); the spec's otherwise. */
  readonly premake?: number;
  /** Only these kinds of check; all when absent. */
  readonly kinds?: readonly CheckKind[];
}

const bulkActions = (e: EntitySpec): BulkOperationAction[] => e.actions.filter((a): a is BulkOperationAction => a.kind === 'bulk_operation');
const workflows = (e: EntitySpec): WorkflowAction[] => e.actions.filter((a): a is WorkflowAction => a.kind === 'workflow');

function checksOf(entity: EntitySpec, options: DeriveOptions): Check[] {
  const checks: Check[] = [];
  const p = entity.partitioning;
  for (const action of bulkActions(entity)) checks.push(bulkLoadCheck(entity, action));
  if (p) for (const index of entity.indexes.length ? entity.indexes : [null]) checks.push(partitionPruningCheck(entity, index));
  if (entity.materializedView) checks.push(viewRefreshCheck(entity, entity.materializedView));
  if (p && entity.indexes[0]) checks.push(concurrentReindexCheck(entity, entity.indexes[0]));
  for (const action of workflows(entity)) checks.push(triggerOverheadCheck(entity, action));
  for (const query of analyticsQueries(entity)) checks.push(analyticsQueryCheck(entity, query));
  for (const action of bulkActions(entity)) checks.push(tempSpillCheck(entity, action));
  // Clients write the tables that are loaded: partitioned ones and those with actions, not the metric targets.
  if (p || entity.actions.length > 0) checks.push(concurrentClientsCheck(entity));
  for (const index of entity.indexes) checks.push(indexValidCheck(entity, index.name, 'table'));
  if (entity.materializedView && entity.materializedView.uniqueKey.length > 0) {
    checks.push(indexValidCheck(entity, viewKeyIndexName(fitIdentifier(entity.materializedView.name)), 'view'));
  }
  if (p) checks.push(futurePartitionsCheck(entity, options.premake ?? p.premake));
  if (p?.defaultPartition) checks.push(defaultEmptyCheck(entity));
  return checks;
}

export function deriveChecks(specs: SpecSet, options: DeriveOptions = {}): Check[] {
  const entities = specs.entities.filter((e) => !options.entities || options.entities.includes(e.entity));
  const checks = entities.flatMap((e) => checksOf(e, options));
  for (const schema of [...new Set(entities.map((e) => e.schema))].sort()) checks.push(definerSearchPathCheck(schema));
  // Stable sort: by kind in the seed's order, entities in spec order within a kind.
  return checks
    .filter((c) => !options.kinds || options.kinds.includes(c.kind))
    .map((check, i) => ({ check, i }))
    .sort((a, b) => CHECK_KINDS.indexOf(a.check.kind) - CHECK_KINDS.indexOf(b.check.kind) || a.i - b.i)
    .map((x) => x.check);
}
