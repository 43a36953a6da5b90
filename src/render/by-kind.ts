/**
 * DbObject → PlanSteps, dispatching by kind to one small module per object
 * kind. createSteps gives the online create form; dropSteps the removal, with
 * hazards marked (the apply gate refuses `deletes_data` unless allowed).
 */
import type { DbObject, PartitionObject, QualifiedName } from '../model/objects';
import type { PlanStep } from '../model/step';
import { createSchemaSteps, dropSchemaSteps } from './schemas';
import { createExtensionSteps, dropExtensionSteps } from './extensions';
import { createTableSteps, dropTableSteps } from './tables';
import { createPartitionSteps, dropPartitionSteps } from './partitions';
import { createIndexSteps, dropIndexSteps } from './indexes';
import { createMaterializedViewSteps, dropMaterializedViewSteps } from './materialized-views';
import {
  createCronJobSteps,
  createFunctionSteps,
  createTriggerSteps,
  dropCronJobSteps,
  dropFunctionSteps,
  dropTriggerSteps,
} from './routines';

export interface RenderContext {
  /** Partitions of a partitioned table (DEFAULT included): an index is built on each. */
  partitionsOf(table: QualifiedName): readonly PartitionObject[];
}

export function createSteps(object: DbObject, context: RenderContext): PlanStep[] {
  switch (object.kind) {
    case 'schema':
      return createSchemaSteps(object);
    case 'extension':
      return createExtensionSteps(object);
    case 'table':
      return createTableSteps(object);
    case 'partition':
      return createPartitionSteps(object);
    case 'index':
      return createIndexSteps(object, object.partitioned ? context.partitionsOf(object.table) : []);
    case 'materialized_view':
      return createMaterializedViewSteps(object);
    case 'function':
      return createFunctionSteps(object);
    case 'trigger':
      return createTriggerSteps(object);
    case 'cron_job':
      return createCronJobSteps(object);
  }
}

export function dropSteps(object: DbObject): PlanStep[] {
  switch (object.kind) {
    case 'schema':
      return dropSchemaSteps(object);
    case 'extension':
      return dropExtensionSteps(object);
    case 'table':
      return dropTableSteps(object);
    case 'partition':
      return dropPartitionSteps(object);
    case 'index':
      return dropIndexSteps(object);
    case 'materialized_view':
      return dropMaterializedViewSteps(object);
    case 'function':
      return dropFunctionSteps(object);
    case 'trigger':
      return dropTriggerSteps(object);
    case 'cron_job':
      return dropCronJobSteps(object);
  }
}

/** A context answering from a list of objects (the desired state, or a catalog read). */
export function contextFrom(objects: readonly DbObject[]): RenderContext {
  return {
    partitionsOf: (table) =>
      objects.filter(
        (o): o is PartitionObject =>
          o.kind === 'partition' && o.parent.schema === table.schema && o.parent.name === table.name,
      ),
  };
}
