/**
 * What a renderer may ask about the objects around the one it renders: the
 * partitions of a table (an index is built on each; ALTER TABLE on a parent
 * locks each) and the indexes on a table (creating or attaching a partition
 * locks the parent's partitioned indexes). The planner answers from the state
 * the plan leads to; the fresh script from the desired objects.
 */
import type { DbObject, IndexObject, PartitionObject, QualifiedName } from '../model/objects';

export interface RenderContext {
  /** Partitions of a partitioned table, DEFAULT included (empty for a plain table). */
  partitionsOf(table: QualifiedName): readonly PartitionObject[];
  /** Indexes defined on a table (for a partitioned table: its partitioned indexes). */
  indexesOn(table: QualifiedName): readonly IndexObject[];
}

const same = (a: QualifiedName, b: QualifiedName): boolean => a.schema === b.schema && a.name === b.name;

/** A context answering from a list of objects (the desired state, or a catalog read). */
export function contextFrom(objects: readonly DbObject[]): RenderContext {
  return {
    partitionsOf: (table) => objects.filter((o): o is PartitionObject => o.kind === 'partition' && same(o.parent, table)),
    indexesOn: (table) => objects.filter((o): o is IndexObject => o.kind === 'index' && same(o.table, table)),
  };
}

/** The table and, for a partitioned parent, every partition: what ALTER TABLE on the parent locks. */
export function tableAndPartitions(context: RenderContext, table: QualifiedName): QualifiedName[] {
  return [table, ...context.partitionsOf(table)];
}

export const defaultPartitionOf = (context: RenderContext, table: QualifiedName): PartitionObject | undefined =>
  context.partitionsOf(table).find((p) => p.bound.kind === 'default');
