/**
 * Spec model → desired state: every database object the specs imply, in
 * creation order, plus the per-entity outputs. Pure and deterministic: the
 * same specs and options give identical output (today is an option; the
 * clock is never read here).
 */
import type { EntitySpec, SpecSet } from '../spec/model';
import type {
  ColumnDef,
  CronJobObject,
  DbObject,
  DesiredState,
  EntityOutputs,
  ExtensionObject,
  FunctionObject,
  GenerateOptions,
  IndexObject,
  MaterializedViewObject,
  PartitionObject,
  QueueSchedule,
  SchemaObject,
  TableObject,
} from '../model/objects';
import { actionObjects } from './actions';
import { planWorkflow } from './actions/workflow';
import type { StepPlan } from './actions/accumulators';
import { fitIdentifier } from '../model/ident';
import { defaultPartitionName, entityTableName, partitionName, primaryKeyName } from './naming';
import { boundOf, intervalStart, partitionWindow, type PartitionWindow } from './window';
import { extensionForColumn } from './extensions';
import { materializedViewObject, refreshCronJob, refreshFunction, refreshSchedule } from './view';
import { maintenanceCronJob, maintenanceFunction, maintenanceSchedule } from './maintenance';
import { needsWorker, runLogObjects } from './run-log';
import { drainCronJob, queueSchedule } from './queue-drain';

/** Spec values after per-environment overrides (options win over the spec). */
export interface EffectivePartitioning {
  /** The spec's `start`, or (omitted) the start of the interval containing `today`: resolved here, at the edge of the core. */
  readonly start: string;
  readonly premake: number;
  readonly retention: number | null;
  readonly window: PartitionWindow;
}

export function effectivePartitioning(entity: EntitySpec, options: GenerateOptions): EffectivePartitioning | null {
  const spec = entity.partitioning;
  if (spec === null) return null;
  const premake = options.premake ?? spec.premake;
  const retention = options.retention !== undefined ? options.retention : spec.retention;
  const start = spec.start ?? intervalStart(spec.interval, options.today);
  const window = partitionWindow({ interval: spec.interval, start, premake, retention, today: options.today });
  return { start, premake, retention, window };
}

function tableObject(entity: EntitySpec): TableObject {
  const table = entityTableName(entity);
  const key = new Set(entity.primaryKey);
  const columns: ColumnDef[] = entity.fields.map((field) => ({
    name: field.name,
    type: field.type,
    // PostgreSQL marks primary key columns NOT NULL; the catalog reader will see them so.
    notNull: field.notNull || key.has(field.name),
    default: field.default,
    identity: false,
  }));
  return {
    kind: 'table',
    schema: table.schema,
    name: table.name,
    columns,
    constraints:
      entity.primaryKey.length === 0
        ? []
        : [{ name: primaryKeyName(table.name), kind: 'primary_key', columns: [...entity.primaryKey] }],
    partitionBy: entity.partitioning === null ? null : { strategy: 'range', column: entity.partitioning.column },
    entity: entity.entity,
    role: 'entity',
    description: entity.description,
  };
}

/** Per target entity: the columns some workflow step sums into (`col + E`), where a NULL sticks. */
function accumulatedColumns(specs: SpecSet): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const entity of specs.entities) {
    for (const action of entity.actions) {
      if (action.kind !== 'workflow') continue;
      let plans: StepPlan[];
      try {
        plans = planWorkflow(entity, action, specs);
      } catch {
        continue; // reported by the action generator itself
      }
      for (const plan of plans) {
        const set = out.get(plan.target.entity) ?? new Set<string>();
        for (const u of plan.updates) if (u.shape === 'sum') set.add(u.column);
        out.set(plan.target.entity, set);
      }
    }
  }
  return out;
}

function partitionObjects(entity: EntitySpec, window: PartitionWindow): PartitionObject[] {
  const spec = entity.partitioning!;
  const parent = entityTableName(entity);
  const ranges: PartitionObject[] = window.ranges.map((range) => ({
    kind: 'partition',
    schema: parent.schema,
    name: partitionName(parent.name, spec.interval, range.from),
    parent,
    bound: { kind: 'range', from: boundOf(range.from), to: boundOf(range.to) },
  }));
  if (!spec.defaultPartition) return ranges;
  return [...ranges, { kind: 'partition', schema: parent.schema, name: defaultPartitionName(parent.name), parent, bound: { kind: 'default' } }];
}

function indexObjects(entity: EntitySpec): IndexObject[] {
  const table = entityTableName(entity);
  const key = entity.partitioning?.column;
  for (const index of entity.indexes) {
    // PostgreSQL rejects it anyway; failing here names the spec's index instead of a step.
    if (index.unique && key !== undefined && !index.columns.some((c) => c.column === key)) {
      throw new Error(`${entity.entity}: unique index ${index.name} must include the partition key ${key}`);
    }
  }
  return entity.indexes.map((index): IndexObject => ({
    kind: 'index',
    schema: table.schema,
    name: fitIdentifier(index.name),
    table,
    method: index.method,
    columns: index.columns.map((c) => ({ column: c.column, descending: c.descending, opclass: null })),
    unique: index.unique,
    with: index.method === 'brin' ? { pages_per_range: String(index.pagesPerRange ?? 128) } : ({} as Record<string, string>),
    partitioned: entity.partitioning !== null,
  }));
}

/** btree_gist / btree_gin for GiST / GIN indexes over scalar columns, with the indexes that need them. */
function extensionObjects(entities: readonly EntitySpec[]): ExtensionObject[] {
  const needs = new Map<string, { types: Set<string>; indexes: string[]; schema: string }>();
  for (const entity of entities) {
    for (const index of entity.indexes) {
      for (const column of index.columns) {
        const type = entity.fields.find((f) => f.name === column.column)?.type;
        if (type === undefined) continue;
        const extension = extensionForColumn(index.method, type);
        if (extension === null) continue;
        // Installed in the schema of the first entity (in spec order) whose index needs it.
        const need = needs.get(extension) ?? { types: new Set<string>(), indexes: [], schema: entity.schema };
        need.types.add(type);
        const indexName = `${entity.schema}.${fitIdentifier(index.name)}`;
        if (!need.indexes.includes(indexName)) need.indexes.push(indexName);
        needs.set(extension, need);
      }
    }
  }
  return [...needs.keys()].sort().map((name) => {
    const need = needs.get(name)!;
    const method = name === 'btree_gist' ? 'GiST' : 'GIN';
    return {
      kind: 'extension',
      name,
      schema: need.schema,
      reason: `${method} on ${[...need.types].join(', ')} columns (${need.indexes.join(', ')})`,
    };
  });
}

function schemaObjects(entities: readonly EntitySpec[], options: GenerateOptions): SchemaObject[] {
  const names: string[] = [];
  const add = (name: string): void => {
    if (!names.includes(name)) names.push(name);
  };
  for (const entity of entities) {
    add(entity.schema);
    const partitioning = effectivePartitioning(entity, options);
    if (partitioning !== null && partitioning.retention !== null) add(entity.partitioning!.archiveSchema);
  }
  return names.map((name) => ({ kind: 'schema', name }));
}

function maintenanceFor(entity: EntitySpec, partitioning: EffectivePartitioning): FunctionObject {
  const spec = entity.partitioning!;
  const column = entity.fields.find((f) => f.name === spec.column);
  if (column === undefined) throw new Error(`${entity.entity}: partition column ${spec.column} is not a field`);
  return maintenanceFunction({
    table: entityTableName(entity),
    interval: spec.interval,
    column: spec.column,
    columnType: column.type,
    start: partitioning.start,
    premake: partitioning.premake,
    retention: partitioning.retention,
    archiveSchema: spec.archiveSchema,
    defaultPartition: spec.defaultPartition,
  });
}

/** SECURITY DEFINER without a pinned search_path or with EXECUTE left to PUBLIC is a
 *  privilege-escalation hole; refuse to produce one, whichever module built it. */
function assertDefinerFunctionsAreSafe(objects: readonly DbObject[]): void {
  for (const object of objects) {
    if (object.kind === 'function' && object.securityDefiner && (object.searchPath === null || !object.revokePublic)) {
      throw new Error(`SECURITY DEFINER function ${object.schema}.${object.name} must pin search_path and revoke EXECUTE from PUBLIC`);
    }
  }
}

export function buildDesired(specs: SpecSet, options: GenerateOptions): DesiredState {
  const entities = specs.entities;
  const pgCron = options.pgCron === true;
  const schemas = schemaObjects(entities, options);
  // The worker's run log (specql.run_log), when the specs give the worker anything to run.
  const runLog = needsWorker(entities) ? runLogObjects().filter((o) => !(o.kind === 'schema' && schemas.some((s) => s.name === o.name))) : [];
  const objects: DbObject[] = [...schemas, ...runLog.filter((o) => o.kind === 'schema'), ...extensionObjects(entities)];

  const outputs = new Map<string, {
    partitions: PartitionObject[];
    indexes: IndexObject[];
    functions: string[];
    triggers: string[];
    queue: string | null;
    queueSchedules: QueueSchedule[];
    views: MaterializedViewObject[];
    partitioning: EffectivePartitioning | null;
    maintain: FunctionObject | null;
  }>();

  const accumulated = accumulatedColumns(specs);
  for (const entity of entities) {
    const partitioning = effectivePartitioning(entity, options);
    const partitions = partitioning === null ? [] : partitionObjects(entity, partitioning.window);
    const indexes = indexObjects(entity);
    const sums = accumulated.get(entity.entity);
    objects.push({ ...tableObject(entity), ...(sums ? { accumulated: [...sums].sort() } : {}) }, ...partitions, ...indexes);
    outputs.set(entity.entity, { partitions, indexes, functions: [], triggers: [], queue: null, queueSchedules: [], views: [], partitioning, maintain: null });
  }
  objects.push(...runLog.filter((o) => o.kind !== 'schema'));

  const cronJobs: CronJobObject[] = [];

  // Actions come after every table: their functions read and write other entities' tables.
  for (const entity of entities) {
    const actions = actionObjects(entity, specs);
    objects.push(...actions.objects);
    const out = outputs.get(entity.entity)!;
    out.functions.push(...actions.functions);
    out.triggers.push(...actions.triggers);
    out.queue = actions.queue;
    for (const drain of actions.drains) {
      out.queueSchedules.push(queueSchedule(drain.queue, drain.processor, pgCron, options.pgCronSeconds === true));
      if (pgCron) cronJobs.push(drainCronJob(drain.queue, drain.processor, options.pgCronSeconds === true));
    }
  }

  for (const entity of entities) {
    if (entity.materializedView === null) continue;
    const view = materializedViewObject(entity, entity.materializedView, entityTableName(entity), options.refreshOverrides);
    const refresh = refreshFunction(view);
    objects.push(view, refresh);
    const out = outputs.get(entity.entity)!;
    out.views.push(view);
    out.functions.push(refresh.name);
    if (pgCron) cronJobs.push(refreshCronJob(view));
  }

  for (const entity of entities) {
    const out = outputs.get(entity.entity)!;
    if (out.partitioning === null) continue;
    const maintain = maintenanceFor(entity, out.partitioning);
    objects.push(maintain);
    out.functions.push(maintain.name);
    out.maintain = maintain;
    if (pgCron) cronJobs.push(maintenanceCronJob(entityTableName(entity), maintain));
  }

  objects.push(...cronJobs);
  assertDefinerFunctionsAreSafe(objects);

  const entityOutputs: EntityOutputs[] = entities.map((entity) => {
    const out = outputs.get(entity.entity)!;
    const table = entityTableName(entity);
    const spec = entity.partitioning;
    return {
      entity: entity.entity,
      schema: table.schema,
      table: table.name,
      partitions: out.partitions.filter((p) => p.bound.kind === 'range').map((p) => p.name),
      defaultPartition: out.partitions.find((p) => p.bound.kind === 'default')?.name ?? null,
      indexes: out.indexes.map((i) => i.name),
      functions: out.functions,
      triggers: out.triggers,
      queue: out.queue,
      materializedViews: out.views.map((v) => v.name),
      partitionWindow:
        spec === null || out.partitioning === null
          ? null
          : {
              interval: spec.interval,
              from: boundOf(out.partitioning.window.from),
              to: boundOf(out.partitioning.window.to),
              premake: out.partitioning.premake,
              retention: out.partitioning.retention,
              retentionCutoff: out.partitioning.window.retentionCutoff === null ? null : boundOf(out.partitioning.window.retentionCutoff),
              archiveSchema: spec.archiveSchema,
            },
      queueSchedules: out.queueSchedules,
      refreshSchedules: out.views.map((view) => refreshSchedule(view, pgCron)),
      maintenanceSchedule: out.maintain === null ? null : maintenanceSchedule(table, out.maintain, pgCron),
    };
  });

  return { objects, entities: entityOutputs };
}
