/**
 * Partitions: created, carved out of DEFAULT with their rows, archived, dropped.
 *
 * Locks (measured on PostgreSQL 15): CREATE TABLE … PARTITION OF takes ACCESS
 * EXCLUSIVE on the parent and on its DEFAULT partition (which it scans);
 * ATTACH PARTITION takes SHARE UPDATE EXCLUSIVE on the parent and ACCESS
 * EXCLUSIVE on DEFAULT; DETACH and DROP take ACCESS EXCLUSIVE on the parent,
 * the partition and DEFAULT.
 */
import type { IndexObject, PartitionObject, QualifiedName, TableObject } from '../model/objects';
import { partitionIndexName } from '../desired/naming';
import { createChildIndex } from './indexes';
import { objectKey } from '../model/objects';
import { qualify, quoteIdent, quoteLiteral } from '../model/ident';
import { formatMarker } from '../model/markers';
import type { Hazard, PlanStep } from '../model/step';
import { defaultPartitionOf, tableAndPartitions, type RenderContext } from './context';
import { ensureSchema } from './schemas';
import { hazard, lockOn, locksOn, relationName, step } from './step';

/** `2024-02-01T00:00:00Z` → `'2024-02-01 00:00:00+00'`: an explicit offset, so the session time zone never matters. */
export function boundLiteral(bound: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})Z$/.exec(bound);
  if (!match) throw new Error(`partition bound "${bound}" is not in the form YYYY-MM-DDTHH:MM:SSZ`);
  return quoteLiteral(`${match[1]} ${match[2]}+00`);
}

type RangeBound = { readonly from: string; readonly to: string };

const rangeSql = (bound: RangeBound): string => `FOR VALUES FROM (${boundLiteral(bound.from)}) TO (${boundLiteral(bound.to)})`;

export function partitionBoundSql(partition: PartitionObject): string {
  return partition.bound.kind === 'default' ? 'DEFAULT' : rangeSql(partition.bound);
}

export const rangeText = (partition: PartitionObject): string =>
  partition.bound.kind === 'default' ? 'DEFAULT' : `[${partition.bound.from}, ${partition.bound.to})`;

export function createPartitionSql(partition: PartitionObject): string {
  return [
    `CREATE TABLE ${qualify(partition.schema, partition.name)}`,
    `    PARTITION OF ${qualify(partition.parent.schema, partition.parent.name)}`,
    `    ${partitionBoundSql(partition)};`,
  ].join('\n');
}

export interface CreatePartitionFacts {
  /** The parent is created by the same plan: nobody else can hold or wait for its locks. */
  readonly parentIsNew: boolean;
  /** The parent's partitioned indexes as they are when the partition is made (the live ones). */
  readonly indexes?: readonly IndexObject[];
}

/**
 * A new partition. Without partitioned indexes on the parent: CREATE TABLE … PARTITION OF.
 * With them, PARTITION OF would make the partition's indexes under names PostgreSQL picks, so
 * the partition is made standalone (LIKE the parent, with its defaults), its indexes are built
 * under `<partition>_<index>` (empty table: instant), and it is ATTACHed, which adopts them:
 * one transaction, and ATTACH takes only SHARE UPDATE EXCLUSIVE on the parent.
 */
export function createPartition(context: RenderContext, partition: PartitionObject, facts: CreatePartitionFacts): PlanStep[] {
  const indexes = (facts.indexes ?? []).filter((i) => i.partitioned);
  if (indexes.length > 0 && !facts.parentIsNew) return createPartitionWithIndexes(context, partition, indexes);
  return [createPartitionOf(context, partition, facts)];
}

function createPartitionWithIndexes(context: RenderContext, partition: PartitionObject, indexes: readonly IndexObject[]): PlanStep[] {
  const key = objectKey(partition);
  const group = `${key}:create`;
  const target = qualify(partition.schema, partition.name);
  const parentSql = qualify(partition.parent.schema, partition.parent.name);
  const def = defaultPartitionOf(context, partition.parent);
  const common = { object: key, group, partition: { schema: partition.schema, name: partition.name } };
  return [
    step({
      ...common,
      sql: `CREATE TABLE ${target} (LIKE ${parentSql} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE);`,
      action: 'create',
      description: `create ${relationName(partition)} standalone, with ${partition.parent.name}'s column defaults`,
    }),
    ...childIndexes(partition, indexes, group),
    step({
      ...common,
      sql: `ALTER TABLE ${parentSql} ATTACH PARTITION ${target}\n    ${partitionBoundSql(partition)};`,
      action: 'attach',
      description: `attach ${relationName(partition)} to ${relationName(partition.parent)} ${rangeText(partition)} (its indexes are adopted)`,
      locks: [lockOn(partition.parent, 'SHARE UPDATE EXCLUSIVE'), ...(def && def.name !== partition.name ? [lockOn(def, 'ACCESS EXCLUSIVE')] : [])],
      hazards: def && partition.bound.kind === 'range'
        ? [
            hazard('access_exclusive_lock', `briefly locks ${relationName(def)} while it is checked for rows of ${rangeText(partition)} (bounded by lock_timeout)`),
            hazard('may_fail_on_existing_data', `fails if ${relationName(def)} already holds rows in ${rangeText(partition)}`),
          ]
        : [],
    }),
  ];
}

/** `<partition>_<index>` for each partitioned index, built on the new (empty, unattached) partition. */
function childIndexes(partition: QualifiedName, indexes: readonly IndexObject[], group: string): PlanStep[] {
  return indexes
    .filter((i) => i.partitioned)
    .map((index) => createChildIndex(index, partition, partitionIndexName(partition.name, index.name), group, 'new partition: plain build, adopted by the ATTACH', false));
}

/** CREATE TABLE … PARTITION OF: for a parent without partitioned indexes (or a new parent). */
function createPartitionOf(context: RenderContext, partition: PartitionObject, facts: CreatePartitionFacts): PlanStep {
  const parent = relationName(partition.parent);
  const def = defaultPartitionOf(context, partition.parent);
  const hazards: Hazard[] = facts.parentIsNew
    ? []
    : [
        hazard('access_exclusive_lock', `briefly locks ${parent}${def ? ` and ${relationName(def)}` : ''} (ACCESS EXCLUSIVE, bounded by lock_timeout)`),
        ...(def && partition.bound.kind === 'range'
          ? [hazard('may_fail_on_existing_data', `fails if ${relationName(def)} already holds rows in ${rangeText(partition)}`)]
          : []),
      ];
  return step({
    sql: createPartitionSql(partition),
    object: objectKey(partition),
    action: 'create',
    description: `create partition ${relationName(partition)} of ${parent} ${rangeText(partition)}`,
    locks: [lockOn(partition.parent, 'ACCESS EXCLUSIVE'), ...(def && def.name !== partition.name ? [lockOn(def, 'ACCESS EXCLUSIVE')] : [])],
    hazards,
  });
}

/**
 * A new range partition of a table whose DEFAULT partition may hold rows of
 * its range, in ONE transaction: lock the parent EXCLUSIVE (readers continue;
 * an INSERT already routed to DEFAULT before the move would fail DEFAULT's new
 * constraint after the ATTACH, so writers must wait before routing), lock
 * DEFAULT, create the partition standalone with the parent's defaults, move
 * the rows with DELETE … RETURNING feeding the INSERT, build its indexes under
 * `<partition>_<index>` (the rows are in: one build each), ATTACH it. Plain
 * CREATE … PARTITION OF fails as soon as DEFAULT holds such rows.
 */
export function carvePartitionFromDefault(
  context: RenderContext,
  partition: PartitionObject & { bound: RangeBound },
  parent: TableObject,
  def: PartitionObject,
  indexes: readonly IndexObject[] = [],
): PlanStep[] {
  const key = objectKey(partition);
  const group = `${key}:create`;
  const target = qualify(partition.schema, partition.name);
  const parentSql = qualify(parent.schema, parent.name);
  const defSql = qualify(def.schema, def.name);
  const column = quoteIdent(parent.partitionBy!.column);
  const columns = parent.columns.map((c) => quoteIdent(c.name)).join(', ');
  const range = rangeText(partition);
  const common = { object: key, group, partition: { schema: partition.schema, name: partition.name } };
  return [
    step({
      ...common,
      sql: `LOCK TABLE ${parentSql} IN EXCLUSIVE MODE;`,
      action: 'lock',
      description: `lock ${relationName(parent)} against writes (reads continue) while ${partition.name} is carved out of DEFAULT`,
      locks: locksOn(tableAndPartitions(context, parent), 'EXCLUSIVE'),
    }),
    step({
      ...common,
      sql: `LOCK TABLE ${defSql} IN ACCESS EXCLUSIVE MODE;`,
      action: 'lock',
      description: `lock DEFAULT partition ${relationName(def)} so no row of ${range} lands there meanwhile`,
      locks: [lockOn(def, 'ACCESS EXCLUSIVE')],
      hazards: [hazard('access_exclusive_lock', `reads and writes of ${relationName(def)} wait until the move commits`)],
    }),
    step({
      ...common,
      sql: `CREATE TABLE ${target} (LIKE ${parentSql} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE);`,
      action: 'create',
      description: `create ${relationName(partition)} standalone, with ${parent.name}'s column defaults`,
    }),
    step({
      ...common,
      sql: `WITH moved AS (\n  DELETE FROM ${defSql}\n  WHERE ${column} >= ${boundLiteral(partition.bound.from)} AND ${column} < ${boundLiteral(partition.bound.to)}\n  RETURNING ${columns}\n)\nINSERT INTO ${target} (${columns}) SELECT ${columns} FROM moved;`,
      action: 'move_rows',
      description: `move rows of ${range} from ${relationName(def)} into ${relationName(partition)}`,
      hazards: [hazard('moves_rows', `rows of ${range} sitting in ${relationName(def)} are moved (same transaction: none lost)`)],
    }),
    ...childIndexes(partition, indexes, group),
    step({
      ...common,
      sql: `ALTER TABLE ${parentSql} ATTACH PARTITION ${target}\n    ${rangeSql(partition.bound)};`,
      action: 'attach',
      description: `attach ${relationName(partition)} to ${relationName(parent)} ${range}`,
      locks: [lockOn(parent, 'SHARE UPDATE EXCLUSIVE'), lockOn(def, 'ACCESS EXCLUSIVE')],
    }),
  ];
}

/**
 * Retention: the partition is DETACHed (plain DETACH: DETACH CONCURRENTLY
 * cannot coexist with a DEFAULT partition) and moved whole into the archive
 * schema, marked archived; no row is copied, so none can be lost.
 */
export function archivePartition(context: RenderContext, partition: PartitionObject, parent: TableObject, archiveSchema: string, entity: string): PlanStep[] {
  const key = objectKey(partition);
  const group = `${key}:archive`;
  const def = defaultPartitionOf(context, parent);
  const range = rangeText(partition);
  const common = { object: key, group, partition: { schema: partition.schema, name: partition.name } };
  const archived: QualifiedName = { schema: archiveSchema, name: partition.name };
  const marker = formatMarker(entity, { archived: '1', from: partition.bound.kind === 'range' ? partition.bound.from : '', parent: relationName(parent) });
  return [
    { ...ensureSchema(archiveSchema), group },
    step({
      ...common,
      sql: `ALTER TABLE ${qualify(parent.schema, parent.name)} DETACH PARTITION ${qualify(partition.schema, partition.name)};`,
      action: 'detach',
      description: `detach ${relationName(partition)} ${range} from ${relationName(parent)} (retention)`,
      locks: [lockOn(parent, 'ACCESS EXCLUSIVE'), lockOn(partition, 'ACCESS EXCLUSIVE'), ...(def ? [lockOn(def, 'ACCESS EXCLUSIVE')] : [])],
      hazards: [
        hazard('detaches_partition', `${relationName(partition)} ${range} leaves ${relationName(parent)}; its rows are kept in ${relationName(archived)}`),
        hazard('access_exclusive_lock', `briefly locks ${relationName(parent)}${def ? ' (DETACH CONCURRENTLY is impossible while a DEFAULT partition exists)' : ''}`),
      ],
    }),
    step({
      ...common,
      sql: `ALTER TABLE ${qualify(partition.schema, partition.name)} SET SCHEMA ${quoteIdent(archiveSchema)};`,
      action: 'alter',
      description: `move ${partition.name} to ${archiveSchema}`,
      locks: [lockOn(partition, 'ACCESS EXCLUSIVE')],
    }),
    step({
      ...common,
      sql: `COMMENT ON TABLE ${qualify(archiveSchema, partition.name)} IS ${quoteLiteral(marker)};`,
      action: 'comment',
      description: `mark ${relationName(archived)} as archived`,
      locks: [lockOn(archived, 'SHARE UPDATE EXCLUSIVE')],
    }),
  ];
}

/** Dropping a partition deletes its rows; archiving (above) keeps them. */
export function dropPartition(context: RenderContext, partition: PartitionObject, holdsRows: boolean | null, why: string): PlanStep {
  const def = defaultPartitionOf(context, partition.parent);
  return step({
    sql: `DROP TABLE ${qualify(partition.schema, partition.name)};`,
    object: objectKey(partition),
    action: 'drop',
    description: `drop partition ${relationName(partition)} of ${relationName(partition.parent)} ${rangeText(partition)} (${why})`,
    locks: [lockOn(partition.parent, 'ACCESS EXCLUSIVE'), lockOn(partition, 'ACCESS EXCLUSIVE'), ...(def && def.name !== partition.name ? [lockOn(def, 'ACCESS EXCLUSIVE')] : [])],
    partition: { schema: partition.schema, name: partition.name },
    hazards:
      holdsRows === false
        ? [hazard('access_exclusive_lock', `locks ${relationName(partition.parent)} briefly (empty partition)`)]
        : [hazard('deletes_data', `${relationName(partition)} ${holdsRows ? 'holds rows' : 'may hold rows'}; they are deleted`)],
  });
}

/**
 * Rows of DEFAULT older than the retention, when the DEFAULT partition leaves the spec: they go
 * where their partition would have gone, a table of the partition's name in the archive schema
 * (made LIKE the parent if missing, marked archived), moved in one transaction like a carve.
 */
export function archiveRowsFromDefault(
  context: RenderContext,
  parent: TableObject,
  def: PartitionObject,
  archived: QualifiedName & { readonly bound: RangeBound },
  entity: string,
): PlanStep[] {
  const key = `table:${archived.schema}.${archived.name}`;
  const group = `${key}:archive-default`;
  const target = qualify(archived.schema, archived.name);
  const parentSql = qualify(parent.schema, parent.name);
  const defSql = qualify(def.schema, def.name);
  const column = quoteIdent(parent.partitionBy!.column);
  const columns = parent.columns.map((c) => quoteIdent(c.name)).join(', ');
  const range = `[${archived.bound.from}, ${archived.bound.to})`;
  const marker = formatMarker(entity, { archived: '1', from: archived.bound.from, parent: relationName(parent) });
  const common = { object: key, group };
  return [
    { ...ensureSchema(archived.schema), group },
    step({
      ...common,
      sql: `LOCK TABLE ${parentSql} IN EXCLUSIVE MODE;`,
      action: 'lock',
      description: `lock ${relationName(parent)} against writes (reads continue) while rows of ${range} leave DEFAULT for the archive`,
      locks: locksOn(tableAndPartitions(context, parent), 'EXCLUSIVE'),
    }),
    step({
      ...common,
      sql: `LOCK TABLE ${defSql} IN ACCESS EXCLUSIVE MODE;`,
      action: 'lock',
      description: `lock DEFAULT partition ${relationName(def)}`,
      locks: [lockOn(def, 'ACCESS EXCLUSIVE')],
      hazards: [hazard('access_exclusive_lock', `reads and writes of ${relationName(def)} wait until the move commits`)],
    }),
    step({
      ...common,
      sql: `CREATE TABLE IF NOT EXISTS ${target} (LIKE ${parentSql} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE);`,
      action: 'create',
      description: `create ${relationName(archived)} in the archive, if missing (rows of ${range} are older than the retention)`,
    }),
    step({
      ...common,
      sql: `WITH moved AS (\n  DELETE FROM ${defSql}\n  WHERE ${column} >= ${boundLiteral(archived.bound.from)} AND ${column} < ${boundLiteral(archived.bound.to)}\n  RETURNING ${columns}\n)\nINSERT INTO ${target} (${columns}) SELECT ${columns} FROM moved;`,
      action: 'move_rows',
      description: `move rows of ${range} from ${relationName(def)} into the archive ${relationName(archived)}`,
      hazards: [hazard('moves_rows', `rows of ${range} in ${relationName(def)} are older than the retention: moved to ${relationName(archived)} (same transaction: none lost)`)],
    }),
    step({
      ...common,
      sql: `COMMENT ON TABLE ${target} IS ${quoteLiteral(marker)};`,
      action: 'comment',
      description: `mark ${relationName(archived)} as archived`,
    }),
  ];
}

/**
 * `default_partition: true → false`: once its rows are in partitions (or the archive), the
 * DEFAULT partition is dropped — under the parent's EXCLUSIVE lock, after checking that no row
 * with a key arrived meanwhile (if one did, the transaction fails and the next plan moves it).
 * Rows whose key is NULL or ±infinity fit no range partition: they go with it (`deletes_data`, counted).
 */
export function removeDefaultPartition(context: RenderContext, parent: TableObject, def: PartitionObject, unplaceable: number | null): PlanStep[] {
  const key = objectKey(def);
  const group = `${key}:remove`;
  const defSql = qualify(def.schema, def.name);
  const column = quoteIdent(parent.partitionBy!.column);
  const common = { object: key, group, partition: { schema: def.schema, name: def.name } };
  const guard = `specql: rows arrived in the DEFAULT partition ${relationName(def)} while it was being emptied; run the plan again`;
  return [
    step({
      ...common,
      sql: `LOCK TABLE ${qualify(parent.schema, parent.name)} IN EXCLUSIVE MODE;`,
      action: 'lock',
      description: `lock ${relationName(parent)} against writes (reads continue) while its DEFAULT partition is removed`,
      locks: locksOn(tableAndPartitions(context, parent), 'EXCLUSIVE'),
    }),
    step({
      ...common,
      sql: `DO $specql$\nBEGIN\n  IF EXISTS (SELECT 1 FROM ${defSql} WHERE ${column} IS NOT NULL AND isfinite(${column})) THEN\n    RAISE EXCEPTION ${quoteLiteral(guard)};\n  END IF;\nEND\n$specql$;`,
      action: 'lock',
      description: `check that ${relationName(def)} holds no row a partition could take (fails, changing nothing, if one arrived)`,
    }),
    step({
      ...common,
      sql: `DROP TABLE ${defSql};`,
      action: 'drop',
      description: `drop the DEFAULT partition ${relationName(def)} (default_partition: false)`,
      locks: [lockOn(parent, 'ACCESS EXCLUSIVE'), lockOn(def, 'ACCESS EXCLUSIVE')],
      hazards:
        unplaceable === 0
          ? [hazard('access_exclusive_lock', `briefly locks ${relationName(parent)}; rows outside every partition are refused from now on`)]
          : [hazard('deletes_data', `${unplaceable === null ? 'rows (not counted)' : `${unplaceable} row(s)`} of ${relationName(def)} whose ${parent.partitionBy!.column} is NULL or infinite fit no partition and are deleted with it`)],
    }),
  ];
}
