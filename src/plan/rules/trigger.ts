/** Triggers: created after their function; a changed trigger is dropped and
 *  created again in one transaction, so no statement runs without it. */
import type { TriggerObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { dropTriggerSql } from '../../render/trigger-sql';
import { makeStep, type PlanContext } from '../context';
import { createFor } from '../create';
import { hazard } from '../hazards';
import { LOCKS } from '../locks';
import { markerStep, markerStepIfNeeded, desiredMarker } from '../markers';
import { Phase } from '../order';

export function triggersDiffer(a: TriggerObject, b: TriggerObject): boolean {
  return (
    a.timing !== b.timing ||
    [...a.events].sort().join() !== [...b.events].sort().join() ||
    a.level !== b.level ||
    (a.newTable ?? null) !== (b.newTable ?? null) ||
    a.function.schema !== b.function.schema ||
    a.function.name !== b.function.name
  );
}

export function planTrigger(ctx: PlanContext, desired: TriggerObject): void {
  const key = objectKey(desired);
  const live = ctx.liveByKey.get(key);
  const group = `${key}:replace`;
  const recreate = ctx.recreateTriggers.has(key);
  if (live && live.kind === 'trigger' && !recreate) {
    if (!triggersDiffer(desired, live)) {
      const marker = markerStepIfNeeded(ctx, desired);
      if (marker) ctx.emit(Phase.Triggers, marker);
      return;
    }
    ctx.emit(Phase.Triggers, makeStep(ctx, {
      sql: dropTriggerSql(live),
      object: key,
      description: `drop trigger ${live.name} to recreate it changed`,
      lock: LOCKS.dropTrigger,
      group,
      hazards: [hazard('access_exclusive_lock', `briefly locks ${live.table.schema}.${live.table.name}`)],
    }));
  }
  for (const step of createFor(ctx, desired)) ctx.emit(Phase.Triggers, { ...step, group });
  const text = desiredMarker(ctx, desired);
  const marker = text ? markerStep(ctx, desired, text, group) : null;
  if (marker) ctx.emit(Phase.Triggers, marker);
}
