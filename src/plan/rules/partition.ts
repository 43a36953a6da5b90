/**
 * Partitions: the window rolls forward without losing a row.
 *  - A new range partition of a table that has a DEFAULT partition is created
 *    by MOVING the DEFAULT's rows of that range in one transaction: lock the
 *    DEFAULT, create a standalone table like the parent, move the rows with
 *    `WITH moved AS (DELETE … RETURNING *) INSERT …`, ATTACH it. Plain
 *    CREATE … PARTITION OF would fail ("updated partition constraint for
 *    default partition would be violated") as soon as such rows exist.
 *  - Range partitions older than the window (retention) are DETACHED and moved
 *    to the archive schema, never deleted (archiving by DELETE loses rows
 *    committed in between — see postgres-facts).
 *  - A bound that differs cannot be changed in place: reported, not touched.
 */
import type { IndexObject, PartitionObject, TableObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { archivePartition, archiveRowsFromDefault, carvePartitionFromDefault, createPartition, removeDefaultPartition } from '../../render/partitions';
import { partitionName } from '../../desired/naming';
import { addIntervals, boundOf } from '../../desired/window';
import type { EntityOutputs } from '../../model/objects';
import type { PartitionInterval } from '../../spec/model';
import { emitAll, type PlanContext } from '../context';
import { Phase } from '../order';

const tableKey = (schema: string, name: string): string => `table:${schema}.${name}`;

export function livePartitionsOf(ctx: PlanContext, parent: { schema: string; name: string }): PartitionObject[] {
  return ctx.live.objects.filter(
    (o): o is PartitionObject => o.kind === 'partition' && o.parent.schema === parent.schema && o.parent.name === parent.name,
  );
}

export function planPartition(ctx: PlanContext, desired: PartitionObject): void {
  const key = objectKey(desired);
  const live = ctx.liveByKey.get(key);
  if (live && live.kind === 'partition') {
    if (JSON.stringify(live.bound) !== JSON.stringify(desired.bound)) {
      ctx.diagnose({
        code: 'plan.partition_bound_changed',
        severity: 'error',
        subject: key,
        message: `${desired.schema}.${desired.name}: bound differs (live ${JSON.stringify(live.bound)}, spec ${JSON.stringify(desired.bound)}); not changed in place`,
      });
      return;
    }
    return;
  }
  const archivedAs =
    [...ctx.live.archived].find((qualified) => qualified.endsWith(`.${desired.name}`)) ??
    archiveSchemas(ctx).map((a) => `${a}.${desired.name}`).find((q) => ctx.liveByKey.has(`table:${q}`));
  if (archivedAs) {
    // Already detached into the archive (by an apply with a later "today", or by the
    // maintenance function): recreating it empty would split its rows in two places.
    ctx.diagnose({
      code: 'plan.partition_archived',
      severity: 'warning',
      subject: key,
      message: `partition ${desired.schema}.${desired.name} was archived as ${archivedAs}; not recreated (is "today" earlier than the run that archived it?)`,
    });
    return;
  }
  const parentLive = ctx.liveByKey.get(tableKey(desired.parent.schema, desired.parent.name));
  const liveDefault = parentLive ? livePartitionsOf(ctx, desired.parent).find((p) => p.bound.kind === 'default') : undefined;
  // The parent's indexes as they are when partitions are made (before the Indexes phase): the new
  // partition gets them under `<partition>_<index>`; indexes this plan adds or rebuilds are built
  // on it later like on every other partition.
  const indexes = ctx.live.objects.filter(
    (o): o is IndexObject => o.kind === 'index' && o.partitioned && o.table.schema === desired.parent.schema && o.table.name === desired.parent.name,
  );
  if (desired.bound.kind === 'range' && parentLive?.kind === 'table' && liveDefault && parentLive.partitionBy) {
    emitAll(ctx, Phase.Partitions, carvePartitionFromDefault(ctx.render, { ...desired, bound: desired.bound }, parentLive, liveDefault, indexes));
    return;
  }
  // Without a live DEFAULT partition nothing can already hold rows of the new range;
  // a parent created by this same plan is locked by nobody else.
  emitAll(ctx, Phase.Partitions, createPartition(ctx.render, desired, { parentIsNew: !parentLive, indexes }));
}

/** Live range partitions of a desired table that lie before the desired window: archive them. */
export function planArchive(ctx: PlanContext, table: TableObject, archiveSchema: string | null, retentionCutoff: string | null = null): void {
  const desiredParts = ctx.desired.objects.filter(
    (o): o is PartitionObject => o.kind === 'partition' && o.parent.schema === table.schema && o.parent.name === table.name,
  );
  const starts = desiredParts.flatMap((p) => (p.bound.kind === 'range' ? [p.bound.from] : []));
  if (starts.length === 0) return;
  const windowStart = starts.sort()[0]!;
  for (const part of livePartitionsOf(ctx, table)) {
    const key = objectKey(part);
    if (ctx.desiredByKey.has(key) || part.bound.kind !== 'range') continue;
    // Newer than the window start: made ahead by the maintenance function; left alone.
    ctx.handled.add(key);
    if (part.bound.to > windowStart) continue;
    // issue 10 (late rows): older than the window but within retention — made by the maintenance
    // function for rows that arrived late; only retention archives partitions, so left alone.
    if (archiveSchema === null || (retentionCutoff !== null && part.bound.to > retentionCutoff)) continue;
    const entity = ctx.liveEntity(part) ?? ctx.desiredEntity(table) ?? '';
    emitAll(ctx, Phase.Archive, archivePartition(ctx.render, part, table, archiveSchema, entity));
  }
}

/** Archive schemas of the desired entities (tables there are archived partitions, not drift). */
export function archiveSchemas(ctx: PlanContext): string[] {
  return [...new Set(ctx.desired.entities.flatMap((e) => (e.partitionWindow ? [e.partitionWindow.archiveSchema] : [])))];
}

/**
 * `default_partition: true → false`. The live DEFAULT partition is specql's (it belongs to the
 * table); its rows are looked at by the engine (ctx.defaultChecks → catalog/rows.ts): each
 * interval holding rows gets its partition — one of the window is carved by planPartition
 * anyway; one outside it is carved here under the same name the maintenance function would
 * give it; one older than the retention goes to the archive — and then the DEFAULT is dropped
 * (render/partitions.ts removeDefaultPartition), with the rows no partition can hold (a NULL or
 * infinite key): deletes_data, counted.
 */
export function planDefaultRemoval(ctx: PlanContext, table: TableObject, window: EntityOutputs['partitionWindow']): void {
  if (!table.partitionBy || !window) return;
  const desiredDefault = ctx.desired.objects.some(
    (o) => o.kind === 'partition' && o.bound.kind === 'default' && o.parent.schema === table.schema && o.parent.name === table.name,
  );
  if (desiredDefault) return;
  const live = ctx.liveByKey.get(tableKey(table.schema, table.name));
  if (!live || live.kind !== 'table' || !ctx.owned(live)) return;
  const def = livePartitionsOf(ctx, table).find((p) => p.bound.kind === 'default');
  if (!def) return;
  const key = objectKey(def);
  ctx.handled.add(key);
  const column = table.partitionBy.column;
  const columnType = table.columns.find((c) => c.name === column)?.type ?? 'timestamp with time zone';
  const facts = ctx.live.defaultRows.get(key);
  if (!facts) ctx.defaultChecks.set(key, { key, partition: { schema: def.schema, name: def.name }, column, columnType, interval: window.interval });
  const interval = window.interval as PartitionInterval;
  const entity = ctx.liveEntity(live) ?? ctx.desiredEntity(table) ?? '';
  for (const { start } of facts?.intervals ?? []) {
    const bound = { from: boundOf(start), to: boundOf(addIntervals(interval, start, 1)) };
    const name = partitionName(table.name, interval, start);
    const pkey = `partition:${table.schema}.${name}`;
    if (ctx.desiredByKey.has(pkey) && !ctx.liveByKey.has(pkey)) continue; // carved by planPartition
    if (ctx.liveByKey.has(pkey)) continue; // cannot be: DEFAULT holds no row of an attached range
    if (window.retentionCutoff !== null && bound.to <= window.retentionCutoff) {
      emitAll(ctx, Phase.Partitions, archiveRowsFromDefault(ctx.render, live, def, { schema: window.archiveSchema, name, bound }, entity));
      continue;
    }
    const partition = { kind: 'partition' as const, schema: table.schema, name, parent: { schema: table.schema, name: table.name }, bound: { kind: 'range' as const, ...bound } };
    const indexes = ctx.live.objects.filter(
      (o): o is IndexObject => o.kind === 'index' && o.partitioned && o.table.schema === table.schema && o.table.name === table.name,
    );
    emitAll(ctx, Phase.Partitions, carvePartitionFromDefault(ctx.render, partition, live, def, indexes));
    ctx.addPartition(partition);
  }
  emitAll(ctx, Phase.DropTables, removeDefaultPartition(ctx.render, live, def, facts ? facts.unplaceable : null));
}
