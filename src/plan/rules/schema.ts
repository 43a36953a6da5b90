/** Schemas and extensions: created when missing, never dropped — they are shared. */
import type { ExtensionObject, SchemaObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { createExtension } from '../../render/extensions';
import { createSchema } from '../../render/schemas';
import type { PlanContext } from '../context';
import { Phase } from '../order';

export function planSchema(ctx: PlanContext, desired: SchemaObject): void {
  if (!ctx.liveByKey.has(objectKey(desired))) ctx.emit(Phase.Schemas, createSchema(desired));
}

export function planExtension(ctx: PlanContext, desired: ExtensionObject): void {
  if (!ctx.liveByKey.has(objectKey(desired))) ctx.emit(Phase.Extensions, createExtension(desired));
}
