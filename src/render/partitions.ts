import type { PartitionObject } from '../model/objects';
import { objectKey } from '../model/objects';
import type { PlanStep } from '../model/step';
import { qualify, quoteLiteral } from '../model/ident';
import { hazard, step } from './step';

/** `2024-02-01T00:00:00Z` → `'2024-02-01 00:00:00+00'`: an explicit offset, so the session time zone never matters. */
export function boundLiteral(bound: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})Z$/.exec(bound);
  if (!match) throw new Error(`partition bound "${bound}" is not in the form YYYY-MM-DDTHH:MM:SSZ`);
  return quoteLiteral(`${match[1]} ${match[2]}+00`);
}

export function partitionBoundSql(partition: PartitionObject): string {
  return partition.bound.kind === 'default'
    ? 'DEFAULT'
    : `FOR VALUES FROM (${boundLiteral(partition.bound.from)}) TO (${boundLiteral(partition.bound.to)})`;
}

export function createPartitionSql(partition: PartitionObject): string {
  return [
    `CREATE TABLE ${qualify(partition.schema, partition.name)}`,
    `    PARTITION OF ${qualify(partition.parent.schema, partition.parent.name)}`,
    `    ${partitionBoundSql(partition)};`,
  ].join('\n');
}

const rangeText = (partition: PartitionObject): string =>
  partition.bound.kind === 'default' ? 'DEFAULT' : `[${partition.bound.from}, ${partition.bound.to})`;

export function createPartitionSteps(partition: PartitionObject): PlanStep[] {
  const parent = `${partition.parent.schema}.${partition.parent.name}`;
  return [
    step({
      sql: createPartitionSql(partition),
      object: objectKey(partition),
      description: `create partition ${partition.schema}.${partition.name} of ${parent} ${rangeText(partition)}`,
      // CREATE TABLE … PARTITION OF takes ACCESS EXCLUSIVE on the parent (and on its DEFAULT
      // partition, which it scans); measured with pg_locks on PG 15.
      lock: 'ACCESS EXCLUSIVE',
      hazards: [
        hazard('access_exclusive_lock', `briefly locks ${parent} (ACCESS EXCLUSIVE, bounded by lock_timeout)`),
        ...(partition.bound.kind === 'range'
          ? [hazard('may_fail_on_existing_data', `fails if ${parent}'s DEFAULT partition already holds rows in ${rangeText(partition)}`)]
          : []),
      ],
    }),
  ];
}

/** Dropping a partition deletes its rows; detaching (the maintenance function) keeps them. */
export function dropPartitionSteps(partition: PartitionObject): PlanStep[] {
  const parent = `${partition.parent.schema}.${partition.parent.name}`;
  return [
    step({
      sql: `DROP TABLE ${qualify(partition.schema, partition.name)};`,
      object: objectKey(partition),
      description: `drop partition ${partition.schema}.${partition.name} of ${parent} ${rangeText(partition)}`,
      lock: 'ACCESS EXCLUSIVE',
      hazards: [
        hazard('deletes_data', `every row of partition ${partition.schema}.${partition.name} is deleted`),
        hazard('access_exclusive_lock', `locks ${parent} (ACCESS EXCLUSIVE)`),
      ],
    }),
  ];
}
