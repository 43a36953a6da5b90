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
import { formatMarker } from '../../catalog/markers';
import type { PartitionObject, TableObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { boundLiteral } from '../../render/partitions';
import { qualify, quoteIdent, quoteLiteral } from '../../model/ident';
import { makeStep, type PlanContext } from '../context';
import { createFor } from '../create';
import { hazard } from '../hazards';
import { LOCKS } from '../locks';
import { Phase } from '../order';
import type { LockMode } from '../../model/step';

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
  if (desired.bound.kind === 'range' && parentLive?.kind === 'table' && liveDefault && parentLive.partitionBy) {
    moveFromDefault(ctx, desired, desired.bound, parentLive, liveDefault);
    return;
  }
  // Without a DEFAULT partition nothing can already hold rows of the new range;
  // a parent created by this same plan is locked by nobody else.
  for (const step of createFor(ctx, desired)) {
    const hazards = !parentLive ? [] : liveDefault ? step.hazards : step.hazards.filter((h) => h.code !== 'may_fail_on_existing_data');
    ctx.emit(Phase.Partitions, { ...step, hazards });
  }
}

function moveFromDefault(
  ctx: PlanContext,
  partition: PartitionObject,
  bound: { from: string; to: string },
  parent: TableObject,
  def: PartitionObject,
): void {
  const key = objectKey(partition);
  const group = `${key}:create`;
  const target = qualify(partition.schema, partition.name);
  const parentName = qualify(parent.schema, parent.name);
  const defName = qualify(def.schema, def.name);
  const column = quoteIdent(parent.partitionBy!.column);
  const columns = parent.columns.map((c) => quoteIdent(c.name)).join(', ');
  const range = `[${bound.from}, ${bound.to})`;
  const step = (sql: string, description: string, lock: LockMode, hazards = [] as ReturnType<typeof hazard>[]): void =>
    ctx.emit(Phase.Partitions, makeStep(ctx, { sql, object: key, description, lock, hazards, group }));
  // The parent first: an INSERT that was already routed to DEFAULT before the
  // move would, once the new partition is attached, fail the DEFAULT
  // partition's constraint. EXCLUSIVE makes writers wait before routing, so
  // they land in the new partition after commit; readers keep reading.
  step(
    `LOCK TABLE ${parentName} IN EXCLUSIVE MODE;`,
    `lock ${parent.schema}.${parent.name} against writes (reads continue) while the new partition is carved out of DEFAULT`,
    'EXCLUSIVE',
  );
  step(
    `LOCK TABLE ${defName} IN ACCESS EXCLUSIVE MODE;`,
    `lock DEFAULT partition ${def.schema}.${def.name} so no row of ${range} lands there meanwhile`,
    'ACCESS EXCLUSIVE',
    [hazard('access_exclusive_lock', `writes routed to ${def.schema}.${def.name} wait until the move commits`)],
  );
  step(`CREATE TABLE ${target} (LIKE ${parentName});`, `create ${partition.schema}.${partition.name} standalone`, 'none');
  step(
    `WITH moved AS (\n  DELETE FROM ${defName}\n  WHERE ${column} >= ${boundLiteral(bound.from)} AND ${column} < ${boundLiteral(bound.to)}\n  RETURNING ${columns}\n)\nINSERT INTO ${target} (${columns}) SELECT ${columns} FROM moved;`,
    `move rows of ${range} from ${def.schema}.${def.name} into ${partition.schema}.${partition.name}`,
    'ROW EXCLUSIVE',
    [hazard('moves_rows', `rows of ${range} sitting in ${def.schema}.${def.name} are moved (same transaction: none lost)`)],
  );
  step(
    `ALTER TABLE ${parentName} ATTACH PARTITION ${target}\n    FOR VALUES FROM (${boundLiteral(bound.from)}) TO (${boundLiteral(bound.to)});`,
    `attach ${partition.schema}.${partition.name} to ${parent.schema}.${parent.name} ${range}`,
    LOCKS.attachPartition,
  );
}

/** Live range partitions of a desired table that lie before the desired window: archive them. */
export function planArchive(ctx: PlanContext, table: TableObject, archiveSchema: string | null, retentionCutoff: string | null = null): void {
  const desiredParts = ctx.desired.objects.filter(
    (o): o is PartitionObject => o.kind === 'partition' && o.parent.schema === table.schema && o.parent.name === table.name,
  );
  const starts = desiredParts.flatMap((p) => (p.bound.kind === 'range' ? [p.bound.from] : []));
  if (starts.length === 0) return;
  const windowStart = starts.sort()[0]!;
  const hasDefault = livePartitionsOf(ctx, table).some((p) => p.bound.kind === 'default');
  for (const part of livePartitionsOf(ctx, table)) {
    const key = objectKey(part);
    if (ctx.desiredByKey.has(key) || part.bound.kind !== 'range') continue;
    // Newer than the window start: made ahead by the maintenance function; left alone.
    ctx.handled.add(key);
    if (part.bound.to > windowStart) continue;
    // issue 10 (late rows): older than the window but within retention — made by the maintenance
    // function for rows that arrived late; only retention archives partitions, so left alone.
    if (archiveSchema === null || (retentionCutoff !== null && part.bound.to > retentionCutoff)) continue;
    const group = `${key}:archive`;
    const entity = ctx.liveEntity(part) ?? ctx.desiredEntity(table) ?? '';
    const range = `[${part.bound.from}, ${part.bound.to})`;
    const steps: [string, string, typeof LOCKS[keyof typeof LOCKS]][] = [
      [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(archiveSchema)};`, `ensure archive schema ${archiveSchema}`, 'none'],
      [
        `ALTER TABLE ${qualify(table.schema, table.name)} DETACH PARTITION ${qualify(part.schema, part.name)};`,
        `detach ${part.schema}.${part.name} ${range} from ${table.schema}.${table.name} (retention)`,
        LOCKS.detachPartition,
      ],
      [`ALTER TABLE ${qualify(part.schema, part.name)} SET SCHEMA ${quoteIdent(archiveSchema)};`, `move ${part.name} to ${archiveSchema}`, LOCKS.alterTable],
      [
        `COMMENT ON TABLE ${qualify(archiveSchema, part.name)} IS ${quoteLiteral(formatMarker(entity, { archived: '1', from: part.bound.from, parent: `${table.schema}.${table.name}` }))};`,
        `mark ${archiveSchema}.${part.name} as archived`,
        LOCKS.comment,
      ],
    ];
    for (const [sql, description, lock] of steps) {
      ctx.emit(
        Phase.Archive,
        makeStep(ctx, {
          sql,
          object: key,
          description,
          lock,
          group,
          hazards: lock === LOCKS.detachPartition
            ? [
                hazard('detaches_partition', `${part.schema}.${part.name} ${range} leaves ${table.schema}.${table.name}; its rows are kept in ${archiveSchema}.${part.name}`),
                hazard('access_exclusive_lock', `briefly locks ${table.schema}.${table.name}${hasDefault ? ' (DETACH CONCURRENTLY is impossible while a DEFAULT partition exists)' : ''}`),
              ]
            : [],
        }),
      );
    }
  }
}

/** Archive schemas of the desired entities (tables there are archived partitions, not drift). */
export function archiveSchemas(ctx: PlanContext): string[] {
  return [...new Set(ctx.desired.entities.flatMap((e) => (e.partitionWindow ? [e.partitionWindow.archiveSchema] : [])))];
}
