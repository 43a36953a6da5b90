/**
 * Index creation in its online form.
 *
 * Plain table: one `CREATE INDEX CONCURRENTLY` (non-transactional).
 * Partitioned table: CONCURRENTLY cannot target the parent (0A000), so
 *   1. `CREATE INDEX … ON ONLY parent` — catalog only, invalid until complete;
 *   2. `CREATE INDEX CONCURRENTLY` on every partition, DEFAULT included;
 *   3. `ALTER INDEX parent_idx ATTACH PARTITION child_idx` for each; the
 *      parent index turns valid when the last partition is attached.
 * Partitions created later inherit the index automatically.
 */
import type { IndexObject, PartitionObject, QualifiedName } from '../model/objects';
import { objectKey } from '../model/objects';
import type { PlanStep } from '../model/step';
import { partitionIndexName } from '../desired/naming';
import { qualify, quoteIdent } from '../model/ident';
import { concurrentStep, hazard, step } from './step';

export function indexColumnsSql(index: IndexObject): string {
  return index.columns
    .map((c) => [quoteIdent(c.column), ...(c.opclass ? [c.opclass] : []), ...(c.descending ? ['DESC'] : [])].join(' '))
    .join(', ');
}

/** `WITH (pages_per_range = 128)`; keys sorted so the text is deterministic. */
export function indexWithSql(index: IndexObject): string {
  const keys = Object.keys(index.with).sort();
  if (keys.length === 0) return '';
  return ` WITH (${keys.map((k) => `${k} = ${index.with[k]}`).join(', ')})`;
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

export function createIndexSteps(index: IndexObject, partitions: readonly PartitionObject[]): PlanStep[] {
  const key = objectKey(index);
  const table = `${index.table.schema}.${index.table.name}`;
  const label = `${index.unique ? 'unique ' : ''}${index.method} index ${index.schema}.${index.name}`;
  if (!index.partitioned) {
    return [
      concurrentStep({
        sql: createIndexSql(index, { name: index.name, table: index.table, concurrently: true }),
        object: key,
        description: `create ${label} on ${table} (concurrently)`,
        lock: 'SHARE UPDATE EXCLUSIVE',
        hazards: [hazard('index_build', `builds ${index.name} over all rows of ${table}; writes continue`)],
      }),
    ];
  }

  const parentStep = step({
    sql: createIndexSql(index, { name: index.name, table: index.table, only: true }),
    object: key,
    description: `create ${label} on only ${table} (catalog only; invalid until every partition is attached)`,
    lock: 'SHARE',
  });
  const children = partitions.map((partition) => ({
    partition,
    name: partitionIndexName(partition.name, index.name),
  }));
  const builds = children.map(({ partition, name }, i) =>
    concurrentStep({
      sql: createIndexSql(index, { name, table: partition, concurrently: true }),
      object: key,
      description: `create index ${partition.schema}.${name} on partition ${partition.schema}.${partition.name} (concurrently, partition ${i + 1}/${children.length})`,
      lock: 'SHARE UPDATE EXCLUSIVE',
      hazards: [hazard('index_build', `builds ${name} over the rows of ${partition.name}; writes continue`)],
    }),
  );
  const attaches = children.map(({ partition, name }, i) =>
    step({
      sql: `ALTER INDEX ${qualify(index.schema, index.name)} ATTACH PARTITION ${qualify(partition.schema, name)};`,
      object: key,
      description: `attach index ${partition.schema}.${name} to ${index.schema}.${index.name} (partition ${i + 1}/${children.length})`,
      // Measured on PG 15: ACCESS EXCLUSIVE on the child index only (SHARE UPDATE EXCLUSIVE
      // on the parent index, ACCESS SHARE on the tables); it is a catalog update.
      lock: 'ACCESS EXCLUSIVE',
      hazards: [hazard('access_exclusive_lock', `briefly locks index ${name}; queries planning on ${partition.name} wait for it`)],
    }),
  );
  return [parentStep, ...builds, ...attaches];
}

export function dropIndexSteps(index: IndexObject): PlanStep[] {
  const key = objectKey(index);
  const table = `${index.table.schema}.${index.table.name}`;
  if (!index.partitioned) {
    return [
      concurrentStep({
        sql: `DROP INDEX CONCURRENTLY ${qualify(index.schema, index.name)};`,
        object: key,
        description: `drop index ${index.schema}.${index.name} on ${table} (concurrently)`,
        lock: 'SHARE UPDATE EXCLUSIVE',
      }),
    ];
  }
  // DROP INDEX CONCURRENTLY does not support partitioned indexes.
  return [
    step({
      sql: `DROP INDEX ${qualify(index.schema, index.name)};`,
      object: key,
      description: `drop partitioned index ${index.schema}.${index.name} on ${table} and its partition indexes`,
      lock: 'ACCESS EXCLUSIVE',
      hazards: [hazard('access_exclusive_lock', `locks ${table} and every partition (ACCESS EXCLUSIVE) for the catalog update`)],
    }),
  ];
}
