/**
 * Indexes, online and resumable.
 *  - new: the online create form (CONCURRENTLY; on a partitioned table ON ONLY
 *    parent + CONCURRENTLY per partition + ATTACH); on a table this plan
 *    creates, one plain CREATE INDEX (the table is empty and seen by nobody);
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
import type { IndexObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { fitIdentifier } from '../../model/ident';
import { partitionIndexName } from '../../desired/naming';
import {
  attachPartitionIndex,
  buildPartitionIndex,
  createIndex,
  createIndexOnNewTable,
  dropIndex as dropIndexStep,
  dropIndexConcurrently,
  reindexPartitionIndex,
  renameIndex,
} from '../../render/indexes';
import { emitAll, type PlanContext } from '../context';
import { markerStep } from '../markers';
import { Phase } from '../order';

export const temporaryIndexName = (name: string): string => fitIdentifier(`${name}_specql_new`);

const indexKey = (schema: string, name: string): string => `index:${schema}.${name}`;

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
    const tableIsNew = !ctx.liveByKey.has(`table:${desired.table.schema}.${desired.table.name}`);
    emitAll(ctx, Phase.Indexes, tableIsNew ? createIndexOnNewTable(ctx.render, desired) : createIndex(ctx.render, desired));
    // On a new table the marker shares the create's transaction: the index is nobody else's yet.
    const marker = markerStep(ctx, desired, { fresh: true, ...(tableIsNew ? { createdWith: [desired], ...(desired.partitioned ? { group: `${key}:create` } : {}) } : {}) });
    if (marker) ctx.emit(Phase.Indexes, marker);
    return;
  }

  if (indexSignature(live) === indexSignature(desired) && live.partitioned === desired.partitioned) {
    ensureBuilt(ctx, desired);
    if (tmpLive?.kind === 'index') dropIndex(ctx, tmpLive, 'leftover of an interrupted rebuild');
    const marker = markerStep(ctx, desired);
    if (marker) ctx.emit(Phase.Indexes, marker);
    return;
  }

  // Changed definition: new under a temporary name, drop old, rename.
  const tmp: IndexObject = { ...desired, name: temporaryIndexName(desired.name) };
  if (tmpLive?.kind === 'index' && indexSignature(tmpLive) === indexSignature(desired)) {
    ensureBuilt(ctx, tmp);
  } else {
    if (tmpLive?.kind === 'index') dropIndex(ctx, tmpLive, 'leftover of an interrupted rebuild with another definition');
    for (const step of createIndex(ctx.render, tmp)) ctx.emit(Phase.Indexes, { ...step, description: `${step.description} (replacement for ${desired.name})` });
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
    emitAll(ctx, Phase.Indexes, createIndex(ctx.render, index));
    return;
  }
  if (!facts.incomplete && facts.valid) return;
  const signature = indexSignature(index);
  for (const child of facts.children) {
    if (child.attached?.valid) continue;
    if (child.attached) {
      // Attached but invalid: rebuild it in place without blocking writers.
      ctx.emit(Phase.Indexes, reindexPartitionIndex(index, child.partition, child.attached.name));
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
        ctx.emit(Phase.Indexes, { ...dropIndexConcurrently(blocking, key, blocking.valid ? 'has another definition' : 'INVALID (interrupted build)'), partition: child.partition });
      }
      ctx.emit(Phase.Indexes, buildPartitionIndex(index, child.partition, childName, `resuming ${index.name}`));
    }
    ctx.emit(Phase.Indexes, attachPartitionIndex(index, child.partition, name, `resuming ${index.name}`));
  }
}

/** Drops a live index: CONCURRENTLY on a plain table; on a partitioned parent a
 *  plain DROP (cascades to the partitions' indexes) under the short lock_timeout. */
export function dropIndex(ctx: PlanContext, index: IndexObject, why: string, phase: Phase = Phase.Indexes): void {
  ctx.handled.add(objectKey(index));
  ctx.emit(phase, dropIndexStep(ctx.render, index, why));
}

function renameInto(ctx: PlanContext, desired: IndexObject, from: string): void {
  const key = objectKey(desired);
  const group = `${key}:rename`;
  ctx.emit(Phase.Indexes, renameIndex({ schema: desired.schema, name: from }, desired.name, key, { group }));
  if (desired.partitioned) {
    // Children keep the names they were built with (derived from the temporary
    // name); give them the final-derived names so a later rebuild cannot collide.
    for (const partition of ctx.partitionsOf(desired.table)) {
      const built = partitionIndexName(partition.name, from);
      const final = partitionIndexName(partition.name, desired.name);
      if (built === final) continue;
      ctx.emit(Phase.Indexes, renameIndex({ schema: partition.schema, name: built }, final, key, { ifExists: true, group, partition }));
    }
  }
  // The renamed index carries no marker yet (markers are written by name).
  const marker = markerStep(ctx, desired, { group, fresh: true });
  if (marker) ctx.emit(Phase.Indexes, marker);
}
