/**
 * planChanges: desired state vs live catalog → ordered, hazard-annotated steps.
 * Objects are matched by objectKey(), then compared structurally by the rule
 * for their kind (./rules). Pure: no database access; live-only facts come in
 * the LiveCatalog.
 */
import type { LiveCatalog } from '../catalog/types';
import type { DbObject, DesiredState, IndexObject, PartitionObject, QualifiedName } from '../model/objects';
import { objectKey } from '../model/objects';
import { keyed, DEFAULT_PLAN_LOCK_TIMEOUT_MS, type PlanContext } from './context';
import { summarizeHazards } from './hazards';
import { orderSteps, type PhasedStep, type Phase } from './order';
import { desiredOwnership, liveOwnership } from './ownership';
import { planCronJob } from './rules/cron';
import { planDrops } from './rules/drop';
import { planFunction } from './rules/function';
import { planIndex } from './rules/index';
import { planArchive, planDefaultRemoval, planPartition } from './rules/partition';
import { planExtension, planSchema } from './rules/schema';
import { planTable } from './rules/table';
import { planTrigger } from './rules/trigger';
import { planView } from './rules/view';
import { groupWriterPaths } from './writers';
import type { Plan, PlanOptions } from './types';

export function planChanges(desired: DesiredState, live: LiveCatalog, options: PlanOptions = {}): Plan {
  const ownerOfDesired = desiredOwnership(desired);
  const ownerOfLive = liveOwnership(live);
  const scope = options.entities ? new Set(options.entities) : null;
  const inScope = (entity: string | null): boolean => !scope || entity === null || scope.has(entity);
  // Scoping keeps shared objects (schemas, extensions, unowned functions): creating them is idempotent.
  const objects = desired.objects.filter((o) => inScope(ownerOfDesired(o)));
  const scopedDesired: DesiredState = { objects, entities: desired.entities };
  const steps: PhasedStep[] = [];
  let seq = 0;
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_PLAN_LOCK_TIMEOUT_MS;
  // Partitions the plan makes that the spec does not list (for rows leaving a DEFAULT partition).
  const extra: PartitionObject[] = [];
  const partitionsOf = (table: QualifiedName): PartitionObject[] => [...partitionsDuringPlan(live, scopedDesired, table), ...extra.filter((p) => same(p.parent, table))];
  const ctx: PlanContext = {
    desired: scopedDesired,
    live,
    options,
    // Out-of-scope desired objects still count as desired: never dropped by a scoped plan.
    desiredByKey: keyed(desired.objects),
    liveByKey: keyed(live.objects),
    desiredEntity: ownerOfDesired,
    liveEntity: ownerOfLive,
    owned: (o: DbObject) => live.markers.has(objectKey(o)),
    inScope,
    partitionsOf,
    addPartition: (partition: PartitionObject) => void extra.push(partition),
    render: {
      partitionsOf,
      indexesOn: (table) => indexesDuringPlan(live, desired, table),
    },
    lockTimeoutMs,
    emit: (phase: Phase, step) => void steps.push({ phase, seq: seq++, step: step.transactional ? { ...step, lockTimeoutMs } : step }),
    diagnose: (d) => void ctx.diagnostics.push(d),
    handled: new Set(),
    recreateTriggers: new Set(),
    rebuildViews: new Map(),
    rowChecks: new Map(),
    lossChecks: new Map(),
    defaultChecks: new Map(),
    steps,
    diagnostics: [],
  };

  // Archiving first (it marks the partitions it handles), then functions (a
  // replaced function marks the triggers to recreate), then everything else in
  // the generator's order; drops of what left the spec last. Phases (order.ts)
  // put the resulting steps in dependency order.
  for (const o of objects) {
    if (o.kind === 'table' && o.partitionBy) {
      const entity = desired.entities.find((e) => e.schema === o.schema && e.table === o.name);
      planArchive(ctx, o, entity?.partitionWindow?.retention != null ? entity.partitionWindow.archiveSchema : null, entity?.partitionWindow?.retentionCutoff ?? null);
      planDefaultRemoval(ctx, o, entity?.partitionWindow ?? null);
    }
  }
  for (const o of objects) if (o.kind === 'function') planFunction(ctx, o);
  for (const o of objects) {
    switch (o.kind) {
      case 'schema':
        planSchema(ctx, o);
        break;
      case 'extension':
        planExtension(ctx, o);
        break;
      case 'table':
        planTable(ctx, o);
        break;
      case 'partition':
        planPartition(ctx, o);
        break;
      case 'index':
        planIndex(ctx, o);
        break;
      case 'function':
        break; // above: may schedule trigger re-creation
      case 'trigger':
        planTrigger(ctx, o);
        break;
      case 'materialized_view':
        planView(ctx, o);
        break;
      case 'cron_job':
        planCronJob(ctx, o);
        break;
    }
  }
  planDrops(ctx);
  // Steps that writers depend on together run in one transaction (./writers.ts).
  const ordered = groupWriterPaths(ctx, orderSteps(steps));
  return {
    steps: ordered,
    hazards: summarizeHazards(ordered),
    diagnostics: ctx.diagnostics,
    rowChecks: [...ctx.rowChecks.values()],
    lossChecks: [...ctx.lossChecks.values()],
    defaultChecks: [...ctx.defaultChecks.values()],
  };
}

/**
 * The objects a renderer asks about, while the plan runs: the live ones plus
 * the desired ones (desired wins on the same key). Partitions the plan archives
 * are still attached when indexes are built and partitions carved (archiving
 * comes last), so they count: an index is built on them too, and locks on them
 * are declared.
 */
function duringPlan<T extends DbObject>(live: LiveCatalog, desired: DesiredState, match: (o: DbObject) => o is T): T[] {
  const out = new Map<string, T>();
  for (const o of live.objects.filter(match)) out.set(objectKey(o), o);
  for (const o of desired.objects.filter(match)) out.set(objectKey(o), o);
  return [...out.values()];
}

const same = (a: QualifiedName, b: QualifiedName): boolean => a.schema === b.schema && a.name === b.name;
const partitionsDuringPlan = (live: LiveCatalog, desired: DesiredState, table: QualifiedName): PartitionObject[] =>
  duringPlan(live, desired, (o): o is PartitionObject => o.kind === 'partition' && same(o.parent, table));
const indexesDuringPlan = (live: LiveCatalog, desired: DesiredState, table: QualifiedName): IndexObject[] =>
  duringPlan(live, desired, (o): o is IndexObject => o.kind === 'index' && same(o.table, table));
