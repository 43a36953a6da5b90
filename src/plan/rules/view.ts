/**
 * Materialized views. A changed view is rebuilt beside the old one and swapped
 * in: the new one is created under a temporary name WITH DATA with its unique
 * index (readers keep using the old one meanwhile), then ONE transaction
 * renames old → <name>_old, new → <name>, drops the old view and renames the
 * index. Readers never see an empty or missing view: a reader either resolves
 * the name before the swap (old view) or after it (new view).
 *
 * The live query is compared by the hash in the view's marker, because
 * pg_get_viewdef() re-prints a SELECT in its own words.
 */
import { queryHash } from '../../catalog/markers';
import type { MaterializedViewObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { fitIdentifier, qualify, quoteIdent, quoteLiteral } from '../../model/ident';
import { makeStep, type PlanContext } from '../context';
import { createFor } from '../create';
import { hazard } from '../hazards';
import { LOCKS } from '../locks';
import { desiredMarker, markerStepIfNeeded } from '../markers';
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
  const tmpName = fitIdentifier(`${desired.name}_specql_new`);
  const tmpIndex = fitIdentifier(`${desired.uniqueIndex.name}_specql_new`);
  ctx.handled.add(`materialized_view:${desired.schema}.${tmpName}`);
  if (!live || live.kind !== 'materialized_view') {
    for (const step of createFor(ctx, desired)) ctx.emit(Phase.Views, step);
    const marker = markerStepIfNeeded(ctx, desired);
    if (marker) ctx.emit(Phase.Views, marker);
    return;
  }
  const diffs = viewDiffers(ctx, desired, live);
  if (diffs.length === 0) return;
  const view = qualify(desired.schema, desired.name);
  const tmp = qualify(desired.schema, tmpName);
  const oldName = fitIdentifier(`${desired.name}_old`);
  const cols = desired.uniqueIndex.columns.map(quoteIdent).join(', ');
  const build = `${key}:build`;
  const swap = `${key}:swap`;
  const emit = (sql: string, description: string, group: string, lock: typeof LOCKS[keyof typeof LOCKS], hazards = [] as ReturnType<typeof hazard>[]): void =>
    ctx.emit(Phase.Views, makeStep(ctx, { sql, object: key, description, lock, group, hazards }));
  emit(`DROP MATERIALIZED VIEW IF EXISTS ${tmp};`, `drop leftover ${tmpName} of an interrupted rebuild, if any`, build, LOCKS.dropTable);
  emit(
    `CREATE MATERIALIZED VIEW ${tmp} AS\n${desired.query.trim().replace(/;$/, '')}\nWITH DATA;`,
    `build new ${desired.name} beside the old one as ${tmpName} (${diffs.join(', ')} changed)`,
    build,
    LOCKS.none,
    [hazard('view_rebuild', `${desired.schema}.${desired.name} is rebuilt; readers keep the old one until the swap`)],
  );
  emit(`CREATE UNIQUE INDEX ${quoteIdent(tmpIndex)} ON ${tmp} (${cols});`, `unique index for concurrent refreshes of the new ${desired.name}`, build, LOCKS.none);
  emit(`ALTER MATERIALIZED VIEW ${view} RENAME TO ${quoteIdent(oldName)};`, `swap: ${desired.name} → ${oldName}`, swap, LOCKS.renameView,
    [hazard('access_exclusive_lock', `the swap briefly locks ${desired.schema}.${desired.name} (waits for running readers, bounded by lock_timeout)`)]);
  emit(`ALTER MATERIALIZED VIEW ${tmp} RENAME TO ${quoteIdent(desired.name)};`, `swap: ${tmpName} → ${desired.name}`, swap, LOCKS.renameView);
  emit(`DROP MATERIALIZED VIEW ${qualify(desired.schema, oldName)};`, `drop the old ${desired.name}`, swap, LOCKS.dropTable);
  emit(`ALTER INDEX ${qualify(desired.schema, tmpIndex)} RENAME TO ${quoteIdent(desired.uniqueIndex.name)};`, `rename ${tmpIndex} → ${desired.uniqueIndex.name}`, swap, LOCKS.alterIndex);
  const marker = desiredMarker(ctx, desired);
  if (marker) emit(`COMMENT ON MATERIALIZED VIEW ${view} IS ${quoteLiteral(marker)};`, `mark ${key} as managed by specql`, swap, LOCKS.comment);
}
