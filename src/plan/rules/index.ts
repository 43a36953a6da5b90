/**
 * Indexes, online and resumable.
 *  - new: the generator's create form (CONCURRENTLY; on a partitioned table
 *    ON ONLY parent + CONCURRENTLY per partition + ATTACH);
 *  - interrupted build (ON ONLY parent still invalid, some partitions not
 *    attached): attach the valid leftovers, drop invalid leftovers
 *    CONCURRENTLY and build them again, build the missing ones;
 *  - invalid plain index (failed CONCURRENTLY build): drop it, rebuild;
 *  - changed definition: build the new one under a temporary name, drop the
 *    old one (CONCURRENTLY on a plain table; on a partitioned parent a plain
 *    DROP — it cascades to the partitions' indexes — under a short
 *    lock_timeout), rename the new one to the final name.
 */
import { indexSignature } from '../../catalog/read';
import type { IndexObject, QualifiedName } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { partitionIndexName } from '../../desired/naming';
import { createIndexSql } from '../../render/indexes';
import { fitIdentifier, qualify, quoteIdent } from '../../model/ident';
import { makeStep, type PlanContext } from '../context';
import { createFor } from '../create';
import { hazard } from '../hazards';
import { LOCKS } from '../locks';
import { markerStepIfNeeded } from '../markers';
import { Phase } from '../order';

export const temporaryIndexName = (name: string): string => fitIdentifier(`${name}_specql_new`);

const indexKey = (schema: string, name: string): string => `index:${schema}.${name}`;

/** `USING method (cols) [WITH (…)]` for one index, in the form CREATE INDEX takes. */
function definitionSql(index: IndexObject): string {
  const cols = index.columns
    .map((c) => `${quoteIdent(c.column)}${c.opclass ? ` ${c.opclass}` : ''}${c.descending ? ' DESC' : ''}`)
    .join(', ');
  const opts = Object.entries(index.with);
  return `USING ${index.method} (${cols})${opts.length ? ` WITH (${opts.map(([k, v]) => `${k} = ${v}`).join(', ')})` : ''}`;
}

export function planIndex(ctx: PlanContext, desired: IndexObject): void {
  const key = objectKey(desired);
  const live = ctx.liveByKey.get(key);
  const tmpKey = indexKey(desired.schema, temporaryIndexName(desired.name));
  const tmpLive = ctx.liveByKey.get(tmpKey);
  if (tmpLive) ctx.handled.add(tmpKey);

  if (!live || live.kind !== 'index') {
    // Killed after the old index was dropped but before the rename: finish the swap.
    if (tmpLive?.kind === 'index' && indexSignature(tmpLive) === indexSignature(desired) && isComplete(ctx, tmpKey)) {
      renameInto(ctx, desired, tmpLive.name);
      return;
    }
    if (tmpLive?.kind === 'index') dropIndex(ctx, tmpLive, 'leftover of an interrupted rebuild');
    if (!ctx.liveByKey.has(`table:${desired.table.schema}.${desired.table.name}`)) {
      // The table is created by this same plan: empty and unseen by anyone, so one
      // plain CREATE INDEX (on the parent, cascading to its partitions) is enough.
      ctx.emit(Phase.Indexes, makeStep(ctx, {
        sql: createIndexSql(desired, { name: desired.name, table: desired.table }),
        object: key,
        description: `create ${desired.method} index ${desired.schema}.${desired.name} on new table ${desired.table.schema}.${desired.table.name}${desired.partitioned ? ' and its partitions' : ''} (empty: plain build)`,
        lock: LOCKS.none,
      }));
    } else {
      for (const step of createFor(ctx, desired)) ctx.emit(Phase.Indexes, step);
    }
    const marker = markerStepIfNeeded(ctx, desired);
    if (marker) ctx.emit(Phase.Indexes, marker);
    return;
  }

  if (indexSignature(live) === indexSignature(desired) && live.partitioned === desired.partitioned) {
    ensureBuilt(ctx, desired);
    if (tmpLive?.kind === 'index') dropIndex(ctx, tmpLive, 'leftover of an interrupted rebuild');
    const marker = markerStepIfNeeded(ctx, desired);
    if (marker) ctx.emit(Phase.Indexes, marker);
    return;
  }

  // Changed definition: new under a temporary name, drop old, rename.
  const tmp: IndexObject = { ...desired, name: temporaryIndexName(desired.name) };
  if (tmpLive?.kind === 'index' && indexSignature(tmpLive) === indexSignature(desired)) {
    ensureBuilt(ctx, tmp);
  } else {
    if (tmpLive?.kind === 'index') dropIndex(ctx, tmpLive, 'leftover of an interrupted rebuild with another definition');
    for (const step of createFor(ctx, tmp)) ctx.emit(Phase.Indexes, { ...step, description: `${step.description} (replacement for ${desired.name})` });
  }
  dropIndex(ctx, live, `replaced: ${indexSignature(live)} → ${indexSignature(desired)}`);
  renameInto(ctx, desired, tmp.name);
}

function isComplete(ctx: PlanContext, key: string): boolean {
  const facts = ctx.live.indexFacts.get(key);
  return !!facts && facts.valid && !facts.incomplete;
}

/** Makes an index whose name and definition already match valid and complete. */
function ensureBuilt(ctx: PlanContext, index: IndexObject): void {
  const key = objectKey(index);
  const facts = ctx.live.indexFacts.get(key);
  if (!facts) return;
  if (!index.partitioned) {
    if (facts.valid) return;
    const live = ctx.liveByKey.get(key);
    if (live?.kind === 'index') dropIndex(ctx, live, 'INVALID (an interrupted or failed CONCURRENTLY build)');
    for (const step of createFor(ctx, index)) ctx.emit(Phase.Indexes, step);
    return;
  }
  if (!facts.incomplete && facts.valid) return;
  const signature = indexSignature(index);
  for (const child of facts.children) {
    if (child.attached?.valid) continue;
    if (child.attached) {
      // Attached but invalid: rebuild it in place without blocking writers.
      ctx.emit(Phase.Indexes, makeStep(ctx, {
        sql: `REINDEX INDEX CONCURRENTLY ${qualify(child.partition.schema, child.attached.name)};`,
        object: key,
        description: `rebuild invalid index ${child.attached.name} of partition ${child.partition.name}`,
        lock: LOCKS.createIndexConcurrently,
        transactional: false,
        hazards: [hazard('index_build', `rebuilds ${child.attached.name} concurrently`)],
      }));
      continue;
    }
    const childName = partitionIndexName(child.partition.name, index.name);
    const loose = ctx.live.looseIndexes.filter((l) => l.table.schema === child.partition.schema && l.table.name === child.partition.name);
    const reusable = loose.find((l) => l.valid && l.signature === signature);
    let name = childName;
    if (reusable) {
      name = reusable.name;
      ctx.handled.add(indexKey(reusable.schema, reusable.name));
    } else {
      const blocking = loose.find((l) => l.name === childName);
      if (blocking) {
        ctx.handled.add(indexKey(blocking.schema, blocking.name));
        ctx.emit(Phase.Indexes, dropConcurrently(ctx, key, blocking, blocking.valid ? 'has another definition' : 'INVALID (interrupted build)'));
      }
      ctx.emit(Phase.Indexes, buildChild(ctx, index, child.partition, childName));
    }
    ctx.emit(Phase.Indexes, attachChild(ctx, index, child.partition, name));
  }
}

function buildChild(ctx: PlanContext, index: IndexObject, partition: QualifiedName, name: string) {
  return makeStep(ctx, {
    sql: `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${quoteIdent(name)} ON ${qualify(partition.schema, partition.name)} ${definitionSql(index)};`,
    object: objectKey(index),
    description: `build index ${name} on partition ${partition.schema}.${partition.name} (concurrently, resuming ${index.name})`,
    lock: LOCKS.createIndexConcurrently,
    transactional: false,
    hazards: [hazard('index_build', `builds ${name} concurrently: CPU and I/O, writers keep going`)],
  });
}

function attachChild(ctx: PlanContext, index: IndexObject, partition: QualifiedName, name: string) {
  return makeStep(ctx, {
    sql: `ALTER INDEX ${qualify(index.schema, index.name)} ATTACH PARTITION ${qualify(partition.schema, name)};`,
    object: objectKey(index),
    description: `attach ${name} (partition ${partition.name}) to ${index.name}`,
    lock: LOCKS.alterIndex,
  });
}

function dropConcurrently(ctx: PlanContext, object: string, index: QualifiedName, why: string) {
  return makeStep(ctx, {
    sql: `DROP INDEX CONCURRENTLY IF EXISTS ${qualify(index.schema, index.name)};`,
    object,
    description: `drop index ${index.schema}.${index.name} (${why})`,
    lock: LOCKS.dropIndexConcurrently,
    transactional: false,
  });
}

/** Drops a live index: CONCURRENTLY on a plain table; on a partitioned parent a
 *  plain DROP (cascades to the partitions' indexes) under the short lock_timeout. */
export function dropIndex(ctx: PlanContext, index: IndexObject, why: string, phase: Phase = Phase.Indexes): void {
  const key = objectKey(index);
  ctx.handled.add(key);
  if (!index.partitioned) {
    ctx.emit(phase, dropConcurrently(ctx, key, index, why));
    return;
  }
  ctx.emit(phase, makeStep(ctx, {
    sql: `DROP INDEX IF EXISTS ${qualify(index.schema, index.name)};`,
    object: key,
    description: `drop partitioned index ${index.schema}.${index.name} and its partitions' indexes (${why})`,
    lock: LOCKS.dropIndex,
    hazards: [hazard('access_exclusive_lock', `briefly locks ${index.table.schema}.${index.table.name} and its partitions (no CONCURRENTLY for partitioned indexes)`)],
  }));
}

function renameInto(ctx: PlanContext, desired: IndexObject, from: string): void {
  const key = objectKey(desired);
  const group = `${key}:rename`;
  ctx.emit(Phase.Indexes, makeStep(ctx, {
    sql: `ALTER INDEX ${qualify(desired.schema, from)} RENAME TO ${quoteIdent(desired.name)};`,
    object: key,
    description: `rename ${from} to ${desired.name}`,
    lock: LOCKS.alterIndex,
    group,
  }));
  if (desired.partitioned) {
    // Children keep the names they were built with (derived from the temporary
    // name); give them the final-derived names so a later rebuild cannot collide.
    for (const partition of ctx.partitionsOf(desired.table)) {
      const built = partitionIndexName(partition.name, from);
      const final = partitionIndexName(partition.name, desired.name);
      if (built === final) continue;
      ctx.emit(Phase.Indexes, makeStep(ctx, {
        sql: `ALTER INDEX IF EXISTS ${qualify(partition.schema, built)} RENAME TO ${quoteIdent(final)};`,
        object: key,
        description: `rename ${built} to ${final}`,
        lock: LOCKS.alterIndex,
        group,
      }));
    }
  }
  // The renamed index carries no marker yet (markers are written by name).
  const marker = markerStepIfNeeded({ ...ctx, liveByKey: new Map() } as PlanContext, desired, group);
  if (marker) ctx.emit(Phase.Indexes, marker);
}
