/**
 * Materialized views: created when missing; rebuilt beside the old one and
 * swapped in when the query or the unique key changes (render/materialized-views.ts).
 *
 * The live query is compared by the hash in the view's marker, because
 * pg_get_viewdef() re-prints a SELECT in its own words.
 */
import { queryHash } from '../../model/markers';
import type { MaterializedViewObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { createMaterializedView, dropLeftoverSnapshot, rebuildMaterializedView, snapshotTableName, temporaryViewName } from '../../render/materialized-views';
import { emitAll, type PlanContext } from '../context';
import { desiredMarker, markerStep } from '../markers';
import { Phase } from '../order';

export function viewDiffers(ctx: PlanContext, desired: MaterializedViewObject, live: MaterializedViewObject): string[] {
  const diffs: string[] = [];
  const sha = ctx.live.markers.get(objectKey(live))?.fields.sha;
  if (sha !== queryHash(desired.query)) diffs.push('query');
  if (live.uniqueIndex.name !== desired.uniqueIndex.name || live.uniqueIndex.columns.join(',') !== desired.uniqueIndex.columns.join(',')) {
    diffs.push('unique index');
  }
  return diffs;
}

export function planView(ctx: PlanContext, desired: MaterializedViewObject): void {
  const key = objectKey(desired);
  const live = ctx.liveByKey.get(key);
  ctx.handled.add(`materialized_view:${desired.schema}.${temporaryViewName(desired)}`);
  const leftover = `${desired.schema}.${snapshotTableName(desired)}`;
  if (ctx.live.viewSnapshots.has(leftover) && !ctx.rebuildViews.has(key)) ctx.emit(Phase.Views, dropLeftoverSnapshot({ schema: desired.schema, name: snapshotTableName(desired) }));
  // A snapshot under the view's name: an earlier apply put the view aside around a column change
  // and stopped before rebuilding it (or this plan does so now): build and swap the view in.
  const snapshot = ctx.live.viewSnapshots.get(`${desired.schema}.${desired.name}`);
  const aside = ctx.rebuildViews.get(key);
  if (snapshot || (aside !== undefined && live?.kind === 'materialized_view')) {
    const grants = snapshot ? snapshot.grants : (ctx.live.grants.get(key) ?? []);
    emitAll(ctx, Phase.Views, rebuildMaterializedView(desired, [aside ?? 'an interrupted column change'], desiredMarker(ctx, desired), { from: 'snapshot', grants }));
    return;
  }
  if (!live || live.kind !== 'materialized_view') {
    const steps = createMaterializedView(desired);
    emitAll(ctx, Phase.Views, steps);
    const marker = markerStep(ctx, desired, { fresh: true, group: steps[0]!.group!, createdWith: [desired] });
    if (marker) ctx.emit(Phase.Views, marker);
    return;
  }
  const diffs = viewDiffers(ctx, desired, live);
  if (diffs.length === 0) return;
  emitAll(ctx, Phase.Views, rebuildMaterializedView(desired, diffs, desiredMarker(ctx, desired), { from: 'view', grants: ctx.live.grants.get(key) ?? [] }));
}
