/**
 * Objects generated for an entity's actions (bulk load, workflows).
 * Owned by the actions work; build.ts calls it once per entity.
 */
import type { EntitySpec, SpecSet } from '../../spec/model';
import type { DbObject } from '../objects';

export interface ActionObjects {
  /** Tables (queues), functions and triggers, in creation order. */
  readonly objects: readonly DbObject[];
  readonly functions: readonly string[];
  readonly triggers: readonly string[];
  readonly queue: string | null;
}

export function actionObjects(_entity: EntitySpec, _specs: SpecSet): ActionObjects {
  // Placeholder: filled in by the actions work (bulk function, workflow queue/processor).
  return { objects: [], functions: [], triggers: [], queue: null };
}
