/**
 * What the worker runs, derived from the specs exactly as `apply` generates
 * them: every workflow queue (drain with the spec's batch size), every
 * materialized view (refresh on its interval, optional Redis cache), every
 * partitioned table (maintenance, and its DEFAULT partition to watch).
 */
import type { DesiredState, FunctionObject, MaterializedViewObject, QualifiedName } from '../model/objects';
import type { SpecSet, ViewCacheSpec } from '../spec/model';
import { drainJobName, maintainJobName, refreshJobName } from '../desired/naming';
import { MAINTENANCE_CRON } from '../desired/maintenance';

export interface DrainTask {
  readonly kind: 'drain';
  readonly queue: QualifiedName;
  readonly processor: QualifiedName;
  readonly batchSize: number;
  /** `<schema>.<queue>`: the NOTIFY payload and the run log's target. */
  readonly target: string;
  readonly cronJob: string;
}

export interface RefreshTask {
  readonly kind: 'refresh';
  readonly view: QualifiedName;
  readonly function: QualifiedName;
  readonly interval: string;
  /** Cron expression (GMT) or pg_cron's `N seconds`. */
  readonly cron: string;
  readonly seconds: number;
  readonly uniqueKey: readonly string[];
  readonly cache: ViewCacheSpec | null;
  readonly target: string;
  readonly cronJob: string;
}

export interface MaintainTask {
  readonly kind: 'maintain';
  readonly table: QualifiedName;
  readonly function: QualifiedName;
  readonly defaultPartition: QualifiedName | null;
  readonly cron: string;
  readonly target: string;
  readonly cronJob: string;
}

export interface WorkerTasks {
  readonly drains: readonly DrainTask[];
  readonly refreshes: readonly RefreshTask[];
  readonly maintenance: readonly MaintainTask[];
}

const split = (qualified: string): QualifiedName => {
  const dot = qualified.indexOf('.');
  return { schema: qualified.slice(0, dot), name: qualified.slice(dot + 1) };
};

export function workerTasks(specs: SpecSet, desired: DesiredState): WorkerTasks {
  const drains: DrainTask[] = [];
  const refreshes: RefreshTask[] = [];
  const maintenance: MaintainTask[] = [];
  const views = desired.objects.filter((o): o is MaterializedViewObject => o.kind === 'materialized_view');
  const functions = desired.objects.filter((o): o is FunctionObject => o.kind === 'function');

  for (const out of desired.entities) {
    for (const q of out.queueSchedules) {
      const queue = { schema: out.schema, name: q.queue };
      drains.push({
        kind: 'drain',
        queue,
        processor: split(q.processor),
        batchSize: q.batchSize,
        target: `${queue.schema}.${queue.name}`,
        cronJob: drainJobName(queue.schema, queue.name),
      });
    }
    const spec = specs.entities.find((e) => e.entity === out.entity);
    for (const name of out.materializedViews) {
      const view = views.find((v) => v.schema === out.schema && v.name === name);
      if (!view) continue;
      refreshes.push({
        kind: 'refresh',
        view: { schema: view.schema, name: view.name },
        function: view.refresh.function,
        interval: view.refresh.interval,
        cron: view.refresh.cron,
        seconds: view.refresh.seconds,
        uniqueKey: view.uniqueIndex.columns,
        cache: spec?.materializedView?.cache ?? null,
        target: `${view.schema}.${view.name}`,
        cronJob: refreshJobName(view.schema, view.name),
      });
    }
    const m = out.maintenanceSchedule;
    if (m && functions.some((f) => `${f.schema}.${f.name}` === m.function)) {
      maintenance.push({
        kind: 'maintain',
        table: { schema: out.schema, name: out.table },
        function: split(m.function),
        defaultPartition: out.defaultPartition === null ? null : { schema: out.schema, name: out.defaultPartition },
        cron: MAINTENANCE_CRON,
        target: `${out.schema}.${out.table}`,
        cronJob: maintainJobName(out.schema, out.table),
      });
    }
  }
  return { drains, refreshes, maintenance };
}

export const taskCount = (t: WorkerTasks): number => t.drains.length + t.refreshes.length + t.maintenance.length;
