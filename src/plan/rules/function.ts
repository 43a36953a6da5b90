/**
 * Functions: CREATE OR REPLACE when the signature (name, argument types and
 * names, result) is kept; DROP + CREATE when it changes, in which case the
 * triggers calling it are dropped first and created again afterwards
 * (drops_function_used_by_others). Privileges granted on the live function
 * (proacl, read by the catalog) are granted again on the new one in the
 * transaction that creates it.
 */
import { argDefaultsFingerprint } from '../../model/markers';
import { normalizeBody } from '../../catalog/normalize';
import type { FunctionObject, TriggerObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { createFunction, dropFunction as dropFunctionStep, grantToPublic } from '../../render/functions';
import { regrant } from '../../render/grants';
import { hazard } from '../../render/step';
import type { Grant } from '../../model/objects';
import { dropTrigger } from '../../render/triggers';
import { emitAll, type PlanContext } from '../context';
import { markerStep } from '../markers';
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
  ctx.handled.add(objectKey(live));
  const users = callers(ctx, live);
  for (const t of users) {
    ctx.recreateTriggers.add(objectKey(t));
    ctx.emit(Phase.DropTriggers, dropTrigger(t, `its function ${live.name} is replaced`));
  }
  const hazards = users.length
    ? [hazard('drops_function_used_by_others', `used by trigger(s) ${users.map((t) => t.name).join(', ')}: dropped first and created again after`)]
    : [];
  ctx.emit(Phase.DropFunctions, dropFunctionStep(live, why, hazards));
}

export function planFunction(ctx: PlanContext, desired: FunctionObject): void {
  const key = objectKey(desired);
  const live = ctx.liveByKey.get(key);
  if (live && live.kind === 'function') {
    const diffs = functionsDiffer(desired, live);
    // Argument defaults are compared through the ownership marker (see model/markers.ts).
    const wantDefaults = argDefaultsFingerprint(desired.args);
    const haveDefaults = ctx.live.markers.get(key)?.fields['defaults'] ?? null;
    if (wantDefaults !== haveDefaults) diffs.push('argument defaults');
    // CREATE OR REPLACE may change a default's value but not remove one.
    const defaultCount = (fingerprint: string | null): number => Number(fingerprint?.split(':')[0] ?? 0);
    if (defaultCount(wantDefaults) < defaultCount(haveDefaults)) diffs.push('fewer argument defaults');
    if (diffs.length === 0) {
      const marker = markerStep(ctx, desired);
      if (marker) ctx.emit(Phase.Functions, marker);
      return;
    }
    const needsDrop = diffs.includes('result type') || diffs.includes('argument names') || diffs.includes('fewer argument defaults');
    if (needsDrop) dropFunction(ctx, live, `${diffs.join(', ')} changed; CREATE OR REPLACE cannot change them`);
    const group = `${key}:create`;
    for (const step of createFunction(desired, needsDrop ? null : diffs.join(', '), group)) ctx.emit(Phase.Functions, step);
    // CREATE OR REPLACE keeps the privileges; a function dropped and created again gets them back here.
    if (needsDrop) emitAll(ctx, Phase.Functions, regrant({ kind: 'function', fn: desired }, ctx.live.grants.get(key) ?? [], key, group, 'carried across the drop and create'));
    if (!desired.revokePublic && live.revokePublic && !needsDrop) ctx.emit(Phase.Functions, grantToPublic(desired, group));
    const marker = markerStep(ctx, desired, { group, fresh: needsDrop });
    if (marker) ctx.emit(Phase.Functions, marker);
    return;
  }
  // Same name, other argument types: a signature change; the old one goes first, and what was
  // granted on it is granted on the new one (users granted it by name, e.g. EXECUTE to a loader).
  const carried: Grant[] = [];
  for (const other of ctx.live.objects) {
    if (other.kind !== 'function' || other.schema !== desired.schema || other.name !== desired.name) continue;
    if (ctx.desiredByKey.has(objectKey(other)) || !ctx.owned(other)) continue;
    dropFunction(ctx, other, `signature changed to ${desired.args.map((a) => a.type).join(', ')}`);
    for (const g of ctx.live.grants.get(objectKey(other)) ?? []) {
      if (!carried.some((c) => c.grantee === g.grantee && c.privilege === g.privilege)) carried.push(g);
    }
  }
  const group = `${key}:create`;
  for (const step of createFunction(desired, null, group)) ctx.emit(Phase.Functions, step);
  emitAll(ctx, Phase.Functions, regrant({ kind: 'function', fn: desired }, carried, key, group, 'carried from the replaced signature'));
  const marker = markerStep(ctx, desired, { group });
  if (marker) ctx.emit(Phase.Functions, marker);
}
