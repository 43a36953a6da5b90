/**
 * Live objects that left the spec. Only objects specql created (with a
 * marker) in the plan's scope are dropped; everything else is reported as
 * drift and left alone. Dropping a table takes its partitions, indexes and
 * triggers with it, so those are not dropped separately.
 */
import type { DbObject, MaterializedViewObject, PartitionObject, TableObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { unscheduleCronJob } from '../../render/cron-jobs';
import { dropMaterializedView } from '../../render/materialized-views';
import { dropPartition as dropPartitionStep } from '../../render/partitions';
import { dropQueue } from '../../render/queues';
import { dropTable as dropTableStep } from '../../render/tables';
import { dropTrigger } from '../../render/triggers';
import type { PlanContext } from '../context';
import { Phase } from '../order';
import { dropFunction } from './function';
import { dropIndex } from './index';
import { archiveSchemas } from './partition';

const tableKey = (t: { schema: string; name: string }): string => `table:${t.schema}.${t.name}`;

export function planDrops(ctx: PlanContext): void {
  const droppedTables = new Set<string>();
  const candidates = ctx.live.objects.filter((o) => !ctx.desiredByKey.has(objectKey(o)) && !ctx.handled.has(objectKey(o)));
  for (const o of candidates) if (o.kind === 'table' && ctx.owned(o) && ctx.inScope(ctx.liveEntity(o))) droppedTables.add(objectKey(o));

  const archives = new Set(archiveSchemas(ctx));
  for (const o of candidates) {
    const entity = ctx.liveEntity(o);
    // Archived partitions (detached by the planner or the maintenance function) are kept, silently.
    if (o.kind === 'table' && archives.has(o.schema)) continue;
    if (o.kind === 'index' && archives.has(o.table.schema)) continue;
    if (o.kind === 'schema' || o.kind === 'extension') continue; // shared; never dropped
    if (o.kind === 'partition' && droppedTables.has(tableKey(o.parent))) continue;
    if ((o.kind === 'index' || o.kind === 'trigger') && droppedTables.has(tableKey(o.table))) continue;
    if (o.kind === 'cron_job') {
      if (o.name.startsWith('specql_') && ctx.inScope(entity) && (entity !== null || !ctx.options.entities)) ctx.emit(Phase.Cron, unscheduleCronJob(o, 'no longer in the spec'));
      continue;
    }
    if (!ctx.inScope(entity)) continue;
    if (!ctx.owned(o)) {
      if (entity !== null || !ctx.options.entities) reportDrift(ctx, o);
      continue;
    }
    switch (o.kind) {
      case 'table':
        dropTable(ctx, o);
        break;
      case 'partition':
        dropPartition(ctx, o);
        break;
      case 'index':
        dropIndex(ctx, o, 'no longer in the spec', Phase.DropIndexes);
        break;
      case 'function':
        dropFunction(ctx, o, 'no longer in the spec');
        break;
      case 'trigger':
        ctx.emit(Phase.DropTriggers, dropTrigger(o, 'no longer in the spec'));
        break;
      case 'materialized_view':
        dropView(ctx, o);
        break;
    }
  }
}

function reportDrift(ctx: PlanContext, o: DbObject): void {
  const what = o.kind === 'trigger' ? `${o.table.schema}.${o.table.name}.${o.name}` : 'schema' in o ? `${o.schema}.${o.name}` : o.name;
  ctx.diagnose({
    code: `drift.${o.kind}_not_in_spec`,
    severity: 'warning',
    subject: objectKey(o),
    message: `${o.kind.replace('_', ' ')} ${what} exists but is not in the spec and was not created by specql; left alone`,
  });
}

function holdsRows(ctx: PlanContext, o: { schema: string; name: string }, key: string): boolean | null {
  const exact = ctx.live.hasRows.get(key);
  if (exact !== undefined) return exact;
  ctx.rowChecks.set(key, { key, schema: o.schema, name: o.name });
  return null;
}

function dropTable(ctx: PlanContext, t: TableObject): void {
  const parts = ctx.live.objects.filter((o): o is PartitionObject => o.kind === 'partition' && o.parent.schema === t.schema && o.parent.name === t.name);
  const answers = [holdsRows(ctx, t, objectKey(t)), ...parts.map((p) => holdsRows(ctx, p, objectKey(p)))];
  const rows = answers.every((a) => a === false) ? false : answers.includes(true) ? true : null;
  ctx.emit(Phase.DropTables, (t.role === 'queue' ? dropQueue : dropTableStep)(ctx.render, t, rows, 'no longer in the spec'));
}

function dropPartition(ctx: PlanContext, p: PartitionObject): void {
  ctx.emit(Phase.DropTables, dropPartitionStep(ctx.render, p, holdsRows(ctx, p, objectKey(p)), 'no longer in the spec'));
}

function dropView(ctx: PlanContext, v: MaterializedViewObject): void {
  ctx.emit(Phase.DropViews, dropMaterializedView(v, 'no longer in the spec'));
}
