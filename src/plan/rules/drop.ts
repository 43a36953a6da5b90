/**
 * Live objects that left the spec. Only objects specql created (with a
 * marker) in the plan's scope are dropped; everything else is reported as
 * drift and left alone. Dropping a table takes its partitions, indexes and
 * triggers with it, so those are not dropped separately.
 */
import type { DbObject, MaterializedViewObject, PartitionObject, TableObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { qualify } from '../../model/ident';
import { dropTriggerSql } from '../../render/trigger-sql';
import { makeStep, type PlanContext } from '../context';
import { hazard } from '../hazards';
import { LOCKS } from '../locks';
import { Phase } from '../order';
import { unscheduleCronJob } from './cron';
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
    const key = objectKey(o);
    if (o.kind === 'schema' || o.kind === 'extension') continue; // shared; never dropped
    if (o.kind === 'partition' && droppedTables.has(tableKey(o.parent))) continue;
    if ((o.kind === 'index' || o.kind === 'trigger') && droppedTables.has(tableKey(o.table))) continue;
    if (o.kind === 'cron_job') {
      if (o.name.startsWith('specql_') && ctx.inScope(entity) && (entity !== null || !ctx.options.entities)) unscheduleCronJob(ctx, o);
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
        ctx.emit(Phase.DropTriggers, makeStep(ctx, {
          sql: dropTriggerSql(o),
          object: key,
          description: `drop trigger ${o.name} on ${o.table.schema}.${o.table.name} (no longer in the spec)`,
          lock: LOCKS.dropTrigger,
          hazards: [hazard('access_exclusive_lock', `briefly locks ${o.table.schema}.${o.table.name}`)],
        }));
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
  const key = objectKey(t);
  const parts = ctx.live.objects.filter((o): o is PartitionObject => o.kind === 'partition' && o.parent.schema === t.schema && o.parent.name === t.name);
  const answers = [holdsRows(ctx, t, key), ...parts.map((p) => holdsRows(ctx, p, objectKey(p)))];
  const empty = answers.every((a) => a === false);
  ctx.emit(Phase.DropTables, makeStep(ctx, {
    sql: `DROP TABLE ${qualify(t.schema, t.name)};`,
    object: key,
    description: `drop table ${t.schema}.${t.name}${parts.length ? ` and its ${parts.length} partitions` : ''} (no longer in the spec)`,
    lock: LOCKS.dropTable,
    hazards: empty
      ? [hazard('access_exclusive_lock', `locks ${t.schema}.${t.name} (empty)`)]
      : [hazard('deletes_data', `${t.schema}.${t.name} ${answers.includes(true) ? 'holds rows' : 'may hold rows'}; they are deleted`)],
  }));
}

function dropPartition(ctx: PlanContext, p: PartitionObject): void {
  const key = objectKey(p);
  const rows = holdsRows(ctx, p, key);
  ctx.emit(Phase.DropTables, makeStep(ctx, {
    sql: `DROP TABLE ${qualify(p.schema, p.name)};`,
    object: key,
    description: `drop partition ${p.schema}.${p.name} (no longer in the spec)`,
    lock: LOCKS.dropTable,
    hazards: rows === false
      ? [hazard('access_exclusive_lock', `locks ${p.parent.schema}.${p.parent.name} briefly (empty partition)`)]
      : [hazard('deletes_data', `${p.schema}.${p.name} ${rows ? 'holds rows' : 'may hold rows'}; they are deleted`)],
  }));
}

function dropView(ctx: PlanContext, v: MaterializedViewObject): void {
  ctx.emit(Phase.DropViews, makeStep(ctx, {
    sql: `DROP MATERIALIZED VIEW ${qualify(v.schema, v.name)};`,
    object: objectKey(v),
    description: `drop materialized view ${v.schema}.${v.name} (no longer in the spec; its rows are derived)`,
    lock: LOCKS.dropTable,
    hazards: [hazard('access_exclusive_lock', `readers of ${v.schema}.${v.name} are blocked briefly, then fail`)],
  }));
}
