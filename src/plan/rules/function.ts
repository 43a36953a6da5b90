/**
 * Functions: CREATE OR REPLACE when the signature (name, argument types and
 * names, result) is kept; DROP + CREATE when it changes, in which case the
 * triggers calling it are dropped first and created again afterwards
 * (drops_function_used_by_others).
 */
import { argDefaultsFingerprint } from '../../catalog/markers';
import { normalizeBody } from '../../catalog/normalize';
import type { FunctionObject, TriggerObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { dropFunctionSql, functionSignature } from '../../render/function-sql';
import { dropTriggerSql } from '../../render/trigger-sql';
import { makeStep, type PlanContext } from '../context';
import { createFor } from '../create';
import { hazard } from '../hazards';
import { LOCKS } from '../locks';
import { markerStepIfNeeded } from '../markers';
import { Phase } from '../order';

export function functionsDiffer(a: FunctionObject, b: FunctionObject): string[] {
  const diffs: string[] = [];
  if (normalizeBody(a.body) !== normalizeBody(b.body)) diffs.push('body');
  if (a.returns !== b.returns) diffs.push('result type');
  if (a.language !== b.language) diffs.push('language');
  if (a.volatility !== b.volatility) diffs.push('volatility');
  if (a.securityDefiner !== b.securityDefiner) diffs.push('security');
  if ((a.searchPath ?? null) !== (b.searchPath ?? null)) diffs.push('search_path');
  if (a.revokePublic !== b.revokePublic) diffs.push('EXECUTE privilege');
  if (a.args.map((x) => x.name).join(',') !== b.args.map((x) => x.name).join(',')) diffs.push('argument names');
  return diffs;
}

/** Live triggers that call `fn` (by schema and name). */
function callers(ctx: PlanContext, fn: { schema: string; name: string }): TriggerObject[] {
  return ctx.live.objects.filter(
    (o): o is TriggerObject => o.kind === 'trigger' && o.function.schema === fn.schema && o.function.name === fn.name,
  );
}

export function dropFunction(ctx: PlanContext, live: FunctionObject, why: string): void {
  const key = objectKey(live);
  ctx.handled.add(key);
  const users = callers(ctx, live);
  for (const t of users) {
    ctx.recreateTriggers.add(objectKey(t));
    ctx.emit(Phase.DropTriggers, makeStep(ctx, {
      sql: dropTriggerSql(t),
      object: objectKey(t),
      description: `drop trigger ${t.name} on ${t.table.schema}.${t.table.name} (its function ${live.name} is replaced)`,
      lock: LOCKS.dropTrigger,
      hazards: [hazard('access_exclusive_lock', `briefly locks ${t.table.schema}.${t.table.name}`)],
    }));
  }
  ctx.emit(Phase.DropFunctions, makeStep(ctx, {
    sql: dropFunctionSql(live),
    object: key,
    description: `drop function ${functionSignature(live)} (${why})`,
    lock: LOCKS.none,
    hazards: users.length
      ? [hazard('drops_function_used_by_others', `used by trigger(s) ${users.map((t) => t.name).join(', ')}: dropped first and created again after`)]
      : [],
  }));
}

export function planFunction(ctx: PlanContext, desired: FunctionObject): void {
  const key = objectKey(desired);
  const live = ctx.liveByKey.get(key);
  if (live && live.kind === 'function') {
    const diffs = functionsDiffer(desired, live);
    // Argument defaults are compared through the ownership marker (see catalog/markers.ts).
    const wantDefaults = argDefaultsFingerprint(desired.args);
    const haveDefaults = ctx.live.markers.get(key)?.fields['defaults'] ?? null;
    if (wantDefaults !== haveDefaults) diffs.push('argument defaults');
    // CREATE OR REPLACE may change a default's value but not remove one.
    const defaultCount = (fingerprint: string | null): number => Number(fingerprint?.split(':')[0] ?? 0);
    if (defaultCount(wantDefaults) < defaultCount(haveDefaults)) diffs.push('fewer argument defaults');
    if (diffs.length === 0) {
      const marker = markerStepIfNeeded(ctx, desired);
      if (marker) ctx.emit(Phase.Functions, marker);
      return;
    }
    const needsDrop = diffs.includes('result type') || diffs.includes('argument names') || diffs.includes('fewer argument defaults');
    if (needsDrop) dropFunction(ctx, live, `${diffs.join(', ')} changed; CREATE OR REPLACE cannot change them`);
    for (const step of createFor(ctx, desired)) {
      ctx.emit(Phase.Functions, { ...step, description: `${needsDrop ? 'create' : 'replace'} function ${desired.schema}.${desired.name} (${diffs.join(', ')} changed)` });
    }
    if (!desired.revokePublic && live.revokePublic && !needsDrop) {
      ctx.emit(Phase.Functions, makeStep(ctx, {
        sql: `GRANT EXECUTE ON FUNCTION ${functionSignature(desired)} TO PUBLIC;`,
        object: key,
        description: `grant EXECUTE on ${desired.name} to PUBLIC`,
        lock: LOCKS.none,
      }));
    }
    const marker = markerStepIfNeeded(needsDrop ? ({ ...ctx, liveByKey: new Map() } as PlanContext) : ctx, desired);
    if (marker) ctx.emit(Phase.Functions, marker);
    return;
  }
  // Same name, other argument types: a signature change; the old one goes first.
  for (const other of ctx.live.objects) {
    if (other.kind !== 'function' || other.schema !== desired.schema || other.name !== desired.name) continue;
    if (ctx.desiredByKey.has(objectKey(other)) || !ctx.owned(other)) continue;
    dropFunction(ctx, other, `signature changed to ${functionSignature(desired)}`);
  }
  for (const step of createFor(ctx, desired)) ctx.emit(Phase.Functions, step);
  const marker = markerStepIfNeeded(ctx, desired);
  if (marker) ctx.emit(Phase.Functions, marker);
}
