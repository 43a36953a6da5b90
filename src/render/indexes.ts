/**
 * Indexes, in their online forms.
 *
 * Plain table: one `CREATE INDEX CONCURRENTLY` (non-transactional).
 * Partitioned table: CONCURRENTLY cannot target the parent (0A000), so
 *   1. `CREATE INDEX … ON ONLY parent` — catalog only, invalid until complete;
 *   2. `CREATE INDEX CONCURRENTLY` on every partition, DEFAULT included;
 *   3. `ALTER INDEX parent_idx ATTACH PARTITION child_idx` for each; the
 *      parent index turns valid when the last partition is attached.
 * Partitions created later inherit the index automatically.
 *
 * Locks (PostgreSQL 15, pg_locks): ON ONLY takes SHARE on the parent table;
 * CONCURRENTLY builds, drops and rebuilds take SHARE UPDATE EXCLUSIVE on their
 * table; ATTACH takes ACCESS EXCLUSIVE on the child index (writes to that
 * partition wait for it) and SHARE UPDATE EXCLUSIVE on the parent index; a
 * plain DROP of a partitioned index takes ACCESS EXCLUSIVE on the table and
 * every partition.
 */
import type { IndexObject, PartitionObject, QualifiedName } from '../model/objects';
import { objectKey } from '../model/objects';
import { qualify, quoteIdent } from '../model/ident';
import type { PlanStep } from '../model/step';
import { partitionIndexName } from '../desired/naming';
import { tableAndPartitions, type RenderContext } from './context';
import { concurrentStep, hazard, lockOn, locksOn, relationName, step } from './step';

export function indexColumnsSql(index: Pick<IndexObject, 'columns'>): string {
  return index.columns
    .map((c) => [quoteIdent(c.column), ...(c.opclass ? [quoteIdent(c.opclass)] : []), ...(c.descending ? ['DESC'] : [])].join(' '))
    .join(', ');
}

/** `WITH (pages_per_range = 128)`; keys sorted so the text is deterministic. Values are
 *  whole numbers by construction (the spec's pages_per_range is an integer). */
export function indexWithSql(index: Pick<IndexObject, 'with'>): string {
  const keys = Object.keys(index.with).sort();
  if (keys.length === 0) return '';
  for (const k of keys) if (!/^\d+$/.test(index.with[k]!)) throw new Error(`index storage parameter ${k} must be a whole number, got ${index.with[k]}`);
  return ` WITH (${keys.map((k) => `${quoteIdent(k)} = ${index.with[k]}`).join(', ')})`;
}

interface IndexTarget {
  readonly name: string;
  readonly table: QualifiedName;
  readonly only?: boolean;
  readonly concurrently?: boolean;
}

/** `CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON [ONLY] table USING method (cols) [WITH (…)];` */
export function createIndexSql(index: IndexObject, target: IndexTarget): string {
  return [
    `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${target.concurrently ? 'CONCURRENTLY ' : ''}${quoteIdent(target.name)}`,
    `    ON ${target.only ? 'ONLY ' : ''}${qualify(target.table.schema, target.table.name)}`,
    `    USING ${index.method} (${indexColumnsSql(index)})${indexWithSql(index)};`,
  ].join('\n');
}

const label = (index: IndexObject): string => `${index.unique ? 'unique ' : ''}${index.method} index ${relationName(index)}`;
const partitionOf = (p: QualifiedName): QualifiedName => ({ schema: p.schema, name: p.name });

/** The online create form: one concurrent build, or ON ONLY + a concurrent build and an ATTACH per partition. */
export function createIndex(context: RenderContext, index: IndexObject): PlanStep[] {
  if (!index.partitioned) return [buildIndexConcurrently(index, index.name, index.table, objectKey(index), `create ${label(index)} on ${relationName(index.table)} (concurrently)`)];
  const partitions = context.partitionsOf(index.table);
  const children = partitions.map((partition) => ({ partition, name: partitionIndexName(partition.name, index.name) }));
  return [
    createIndexOnOnly(index),
    ...children.map(({ partition, name }, i) => buildPartitionIndex(index, partition, name, `partition ${i + 1}/${children.length}`)),
    ...children.map(({ partition, name }, i) => attachPartitionIndex(index, partition, name, `partition ${i + 1}/${children.length}`)),
  ];
}

export function createIndexOnOnly(index: IndexObject): PlanStep {
  return step({
    sql: createIndexSql(index, { name: index.name, table: index.table, only: true }),
    object: objectKey(index),
    action: 'create',
    description: `create ${label(index)} on only ${relationName(index.table)} (catalog only; invalid until every partition is attached)`,
    locks: [lockOn(index.table, 'SHARE')],
  });
}

/**
 * On a table the same plan creates (empty, seen by nobody): plain builds. A plain table gets one
 * CREATE INDEX. A partitioned one gets ON ONLY on the parent, then a plain CREATE INDEX named
 * `<partition>_<index>` on each partition and an ATTACH, all in one transaction: a CREATE INDEX
 * on the parent would cascade under names PostgreSQL picks itself (`<partition>_<columns>_idx`),
 * unlike every other path (online builds, new partitions, the maintenance function), and names
 * that depend on a database's history make its indexes differ from a fresh build's.
 */
export function createIndexOnNewTable(context: RenderContext, index: IndexObject): PlanStep[] {
  if (!index.partitioned) {
    return [
      step({
        sql: createIndexSql(index, { name: index.name, table: index.table }),
        object: objectKey(index),
        action: 'create',
        description: `create ${label(index)} on new table ${relationName(index.table)} (empty: plain build)`,
        locks: [lockOn(index.table, 'SHARE')],
      }),
    ];
  }
  const group = `${objectKey(index)}:create`;
  const partitions = context.partitionsOf(index.table);
  return [
    { ...createIndexOnOnly(index), group, description: `create ${label(index)} on only new table ${relationName(index.table)} (its partitions' indexes follow, by name)` },
    ...partitions.flatMap((partition, i) => {
      const note = `partition ${i + 1}/${partitions.length}`;
      const name = partitionIndexName(partition.name, index.name);
      return [
        createChildIndex(index, partition, name, group, `${note}; empty: plain build`, true),
        // Both indexes are created in this same transaction: nobody else can wait for their locks.
        { ...attachPartitionIndex(index, partition, name, note), group, hazards: [], locks: [], lock: 'none' as const },
      ];
    }),
  ];
}

/**
 * A plain CREATE INDEX `<partition>_<index>` on one partition that nobody uses yet (a new
 * partition, or one of a new table), to be attached to the parent's index. `existedBefore`:
 * the partition was created in an earlier transaction of the plan (its SHARE lock is declared).
 */
export function createChildIndex(index: IndexObject, partition: QualifiedName, name: string, group: string, note: string, existedBefore: boolean): PlanStep {
  return step({
    sql: createIndexSql(index, { name, table: partition }),
    object: objectKey(index),
    action: 'create',
    description: `create index ${partition.schema}.${name} on partition ${relationName(partition)} for ${index.name} (${note})`,
    locks: existedBefore ? [lockOn(partition, 'SHARE')] : [],
    partition: partitionOf(partition),
    group,
  });
}

function buildIndexConcurrently(index: IndexObject, name: string, table: QualifiedName, object: string, description: string, partition?: QualifiedName): PlanStep {
  return concurrentStep({
    sql: createIndexSql(index, { name, table, concurrently: true }),
    object,
    action: 'build',
    description,
    locks: [lockOn(table, 'SHARE UPDATE EXCLUSIVE')],
    hazards: [hazard('index_build', `builds ${name} over the rows of ${relationName(table)}; reads and writes continue`)],
    indexBuild: { index: { schema: table.schema, name }, mode: 'create' },
    ...(partition ? { partition: partitionOf(partition) } : {}),
  });
}

/** The index of one partition, built concurrently, to be attached to the parent's index. */
export function buildPartitionIndex(index: IndexObject, partition: QualifiedName, name: string, note: string): PlanStep {
  return buildIndexConcurrently(index, name, partition, objectKey(index), `create index ${partition.schema}.${name} on partition ${relationName(partition)} (concurrently, ${note})`, partition);
}

/**
 * One ATTACH per transaction (its own `group`): it holds ACCESS EXCLUSIVE on one
 * child index only, so it cannot close a lock cycle with a multi-row INSERT
 * (which locks the partitions' indexes in the order its rows arrive). All
 * attaches in one transaction deadlocked with such writers (40P01, issue 8
 * item 10). A half-attached index is a state the next plan resumes from.
 */
export function attachPartitionIndex(index: IndexObject, partition: QualifiedName, child: string, note: string): PlanStep {
  const childIndex = { schema: partition.schema, name: child };
  return step({
    sql: `ALTER INDEX ${qualify(index.schema, index.name)} ATTACH PARTITION ${qualify(partition.schema, child)};`,
    object: objectKey(index),
    group: `${objectKey(index)}:attach ${partition.schema}.${partition.name}`,
    action: 'attach',
    description: `attach index ${relationName(childIndex)} to ${relationName(index)} (${note})`,
    locks: [lockOn(childIndex, 'ACCESS EXCLUSIVE'), lockOn(index, 'SHARE UPDATE EXCLUSIVE')],
    partition: partitionOf(partition),
    hazards: [hazard('access_exclusive_lock', `briefly locks index ${child}: writes to ${relationName(partition)} wait for the catalog update`)],
  });
}

/** An attached but invalid child index (a failed rebuild), rebuilt in place without blocking writers. */
export function reindexPartitionIndex(index: IndexObject, partition: QualifiedName, child: string): PlanStep {
  return concurrentStep({
    sql: `REINDEX INDEX CONCURRENTLY ${qualify(partition.schema, child)};`,
    object: objectKey(index),
    action: 'build',
    description: `rebuild invalid index ${child} of partition ${relationName(partition)} (concurrently)`,
    locks: [lockOn(partition, 'SHARE UPDATE EXCLUSIVE')],
    hazards: [hazard('index_build', `rebuilds ${child} concurrently: reads and writes continue`)],
    indexBuild: { index: { schema: partition.schema, name: child }, mode: 'reindex' },
    partition: partitionOf(partition),
  });
}

/** DROP INDEX CONCURRENTLY IF EXISTS: plain tables and loose partition indexes. */
export function dropIndexConcurrently(index: QualifiedName & { table: QualifiedName }, object: string, why: string): PlanStep {
  return concurrentStep({
    sql: `DROP INDEX CONCURRENTLY IF EXISTS ${qualify(index.schema, index.name)};`,
    object,
    action: 'drop',
    description: `drop index ${relationName(index)} on ${relationName(index.table)} (concurrently; ${why})`,
    locks: [lockOn(index.table, 'SHARE UPDATE EXCLUSIVE')],
  });
}

/** DROP INDEX CONCURRENTLY does not support partitioned indexes: a plain DROP, which
 *  cascades to the partitions' indexes, under the plan's short lock_timeout. */
export function dropPartitionedIndex(context: RenderContext, index: IndexObject, why: string): PlanStep {
  const relations = tableAndPartitions(context, index.table);
  return step({
    sql: `DROP INDEX IF EXISTS ${qualify(index.schema, index.name)};`,
    object: objectKey(index),
    action: 'drop',
    description: `drop partitioned index ${relationName(index)} and its partitions' indexes (${why})`,
    locks: locksOn(relations, 'ACCESS EXCLUSIVE'),
    hazards: [hazard('access_exclusive_lock', `briefly locks ${relationName(index.table)} and its ${relations.length - 1} partitions (no CONCURRENTLY for partitioned indexes)`)],
  });
}

export function dropIndex(context: RenderContext, index: IndexObject, why: string): PlanStep {
  return index.partitioned ? dropPartitionedIndex(context, index, why) : dropIndexConcurrently(index, objectKey(index), why);
}

/** ALTER INDEX [IF EXISTS] … RENAME TO. `partition`: set when the index belongs to one partition. */
export function renameIndex(from: QualifiedName, to: string, object: string, options: { ifExists?: boolean; group?: string; partition?: PartitionObject | QualifiedName } = {}): PlanStep {
  return step({
    sql: `ALTER INDEX ${options.ifExists ? 'IF EXISTS ' : ''}${qualify(from.schema, from.name)} RENAME TO ${quoteIdent(to)};`,
    object,
    action: 'rename',
    description: `rename index ${relationName(from)} to ${to}`,
    locks: [lockOn(from, 'SHARE UPDATE EXCLUSIVE')],
    ...(options.group ? { group: options.group } : {}),
    ...(options.partition ? { partition: partitionOf(options.partition) } : {}),
  });
}
