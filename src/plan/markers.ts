/** Which ownership marker (model/markers.ts) each desired object carries, and the
 *  COMMENT steps (render/comments.ts) that write it where the live one differs. */
import { argDefaultsFingerprint, formatMarker, queryHash } from '../model/markers';
import type { DbObject, QualifiedName } from '../model/objects';
import { objectKey } from '../model/objects';
import type { PlanStep } from '../model/step';
import { canComment, commentOn } from '../render/comments';
import type { PlanContext } from './context';

/** The marker text a desired object should carry. */
export function desiredMarker(ctx: PlanContext, object: DbObject): string | null {
  return markerText(object, ctx.desiredEntity(object) ?? '');
}

/** The marker text of an object owned by `entity` (pure: also what tests build live catalogs from). */
export function markerText(object: DbObject, entity: string): string | null {
  switch (object.kind) {
    case 'table':
      return formatMarker(
        entity,
        {
          ...(object.role === 'queue' ? { role: 'queue' } : {}),
          columns: object.columns.map((c) => c.name).join(','),
        },
        object.description,
      );
    case 'materialized_view':
      return formatMarker(entity, { sha: queryHash(object.query) });
    case 'function': {
      const defaults = argDefaultsFingerprint(object.args);
      return formatMarker(entity, defaults ? { defaults } : {});
    }
    case 'index':
    case 'trigger':
      return formatMarker(entity);
    case 'partition':
      // Partitions belong to their (marked) table; the maintenance function also
      // creates them, without comments, so a marker would only cause noise.
      return null;
    default:
      return null; // schemas, extensions, cron jobs carry no comment
  }
}

export interface MarkerOptions {
  readonly group?: string;
  /** The object is created (or renamed into place) by this plan: write the marker whatever the live one says. */
  readonly fresh?: boolean;
  /** Relations created in the same transaction as the marker (see commentOn). */
  readonly createdWith?: readonly QualifiedName[];
}

/** The marker step when the live marker differs from the desired one (after create, or to adopt). */
export function markerStep(ctx: PlanContext, object: DbObject, options: MarkerOptions = {}): PlanStep | null {
  const text = desiredMarker(ctx, object);
  if (text === null || !canComment(object)) return null;
  const key = objectKey(object);
  if (!options.fresh) {
    const live = ctx.live.markers.get(key);
    const liveText = live ? formatMarker(live.entity, live.fields, live.description) : null;
    if (liveText === text && ctx.liveByKey.has(key)) return null;
    // Only the description (after the marker line) differs: say so.
    if (live && liveText !== null && ctx.liveByKey.has(key) && liveText.split('\n')[0] === text.split('\n')[0]) {
      return commentOn(object, text, `comment on ${key}: its description changed (the ownership marker stays)`, {
        ...(options.group ? { group: options.group } : {}),
      });
    }
  }
  return commentOn(object, text, `mark ${key} as managed by specql${object.kind === 'table' && object.description ? ' (comment: marker and description)' : ''}`, {
    ...(options.group ? { group: options.group } : {}),
    ...(options.createdWith ? { createdWith: options.createdWith } : {}),
  });
}
