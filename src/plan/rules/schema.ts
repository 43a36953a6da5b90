/** Schemas and extensions: created when missing (IF NOT EXISTS), never dropped — they are shared. */
import type { ExtensionObject, SchemaObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import type { PlanContext } from '../context';
import { createFor } from '../create';
import { Phase } from '../order';

export function planSchema(ctx: PlanContext, desired: SchemaObject): void {
  if (ctx.liveByKey.has(objectKey(desired))) return;
  for (const step of createFor(ctx, desired)) ctx.emit(Phase.Schemas, step);
}

export function planExtension(ctx: PlanContext, desired: ExtensionObject): void {
  if (ctx.liveByKey.has(objectKey(desired))) return;
  for (const step of createFor(ctx, desired)) ctx.emit(Phase.Extensions, step);
}
