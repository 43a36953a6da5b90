/** Triggers: created after their function; a changed trigger is dropped and
 *  created again in one transaction, so no statement runs without it. */
import type { TriggerObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { createTrigger, dropTrigger } from '../../render/triggers';
import type { PlanContext } from '../context';
import { markerStep } from '../markers';
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
  if (live && live.kind === 'trigger' && !ctx.recreateTriggers.has(key)) {
    if (!triggersDiffer(desired, live)) {
      const marker = markerStep(ctx, desired);
      if (marker) ctx.emit(Phase.Triggers, marker);
      return;
    }
    ctx.emit(Phase.Triggers, dropTrigger(live, 'to create it again changed', group));
  }
  ctx.emit(Phase.Triggers, createTrigger(desired, group));
  const marker = markerStep(ctx, desired, { group, fresh: true });
  if (marker) ctx.emit(Phase.Triggers, marker);
}
