/** COMMENT steps that write ownership markers (see catalog/markers.ts) on what specql creates. */
import { argDefaultsFingerprint, formatMarker, queryHash } from '../catalog/markers';
import type { DbObject } from '../model/objects';
import { objectKey } from '../model/objects';
import { functionSignature } from '../render/function-sql';
import { qualify, quoteIdent, quoteLiteral } from '../model/ident';
import { makeStep, type PlanContext } from './context';
import { LOCKS } from './locks';
import type { PlanStep } from '../model/step';

/** The marker text a desired object should carry. */
export function desiredMarker(ctx: PlanContext, object: DbObject): string | null {
  const entity = ctx.desiredEntity(object) ?? '';
  switch (object.kind) {
    case 'table':
      return formatMarker(entity, {
        ...(object.role === 'queue' ? { role: 'queue' } : {}),
        columns: object.columns.map((c) => c.name).join(','),
      });
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

export function commentTarget(object: DbObject): string | null {
  switch (object.kind) {
    case 'table':
    case 'partition':
      return `TABLE ${qualify(object.schema, object.name)}`;
    case 'index':
      return `INDEX ${qualify(object.schema, object.name)}`;
    case 'function':
      return `FUNCTION ${functionSignature(object)}`;
    case 'trigger':
      return `TRIGGER ${quoteIdent(object.name)} ON ${qualify(object.table.schema, object.table.name)}`;
    case 'materialized_view':
      return `MATERIALIZED VIEW ${qualify(object.schema, object.name)}`;
    default:
      return null;
  }
}

export function markerStep(ctx: PlanContext, object: DbObject, text: string, group?: string): PlanStep | null {
  const target = commentTarget(object);
  if (!target) return null;
  return makeStep(ctx, {
    sql: `COMMENT ON ${target} IS ${quoteLiteral(text)};`,
    object: objectKey(object),
    description: `mark ${objectKey(object)} as managed by specql`,
    lock: LOCKS.comment,
    ...(group ? { group } : {}),
  });
}

/** The marker step when the live marker differs from the desired one (after create, or to adopt). */
export function markerStepIfNeeded(ctx: PlanContext, object: DbObject, group?: string): PlanStep | null {
  const text = desiredMarker(ctx, object);
  if (text === null) return null;
  const live = ctx.live.markers.get(objectKey(object));
  const liveText = live ? formatMarker(live.entity, live.fields) : null;
  if (liveText === text && ctx.liveByKey.has(objectKey(object))) return null;
  return markerStep(ctx, object, text, group);
}
