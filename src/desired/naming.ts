/**
 * Every name the generator invents, in one place. Other stages (actions,
 * planner, Pulumi outputs, the maintenance command) import names from here
 * instead of rebuilding them, so a rename cannot drift between modules.
 *
 * Every identifier goes through fitIdentifier: PostgreSQL would silently
 * truncate a long name to 63 bytes and two long names could then collide;
 * fitIdentifier shortens deterministically with a hash suffix instead.
 */
import type { EntitySpec, PartitionInterval } from '../spec/model';
import type { QualifiedName } from '../model/objects';
import { fitIdentifier } from '../model/ident';

/** The entity's main table: `<schema>.<table>`. */
export function entityTableName(entity: Pick<EntitySpec, 'schema' | 'table'>): QualifiedName {
  return { schema: entity.schema, name: fitIdentifier(entity.table) };
}

/** `<table>_pkey`, the name PostgreSQL itself would pick (so a catalog read matches). */
export function primaryKeyName(table: string): string {
  return fitIdentifier(`${table}_pkey`);
}

/**
 * The date suffix of a range partition, from its lower bound (`YYYY-MM-DD`, UTC):
 * `2024_01` monthly, `2024_01_01` daily and weekly (weeks start on Monday), `2024` yearly.
 * The maintenance function renders the same suffix with to_char (see PARTITION_SUFFIX_FORMAT).
 */
export function partitionSuffix(interval: PartitionInterval, from: string): string {
  const [year, month, day] = from.slice(0, 10).split('-');
  switch (interval) {
    case 'yearly':
      return `${year}`;
    case 'monthly':
      return `${year}_${month}`;
    case 'weekly':
    case 'daily':
      return `${year}_${month}_${day}`;
  }
}

/** `to_char` patterns producing partitionSuffix() inside PostgreSQL. */
export const PARTITION_SUFFIX_FORMAT: Readonly<Record<PartitionInterval, string>> = {
  yearly: 'YYYY',
  monthly: 'YYYY_MM',
  weekly: 'YYYY_MM_DD',
  daily: 'YYYY_MM_DD',
};

/** Unshortened partition name; fitIdentifier is applied by partitionName (and mirrored in plpgsql). */
export function rawPartitionName(table: string, interval: PartitionInterval, from: string): string {
  return `${table}_p${partitionSuffix(interval, from)}`;
}

/** `<table>_pYYYY_MM` (monthly), `<table>_pYYYY_MM_DD` (daily, weekly), `<table>_pYYYY` (yearly). */
export function partitionName(table: string, interval: PartitionInterval, from: string): string {
  return fitIdentifier(rawPartitionName(table, interval, from));
}

/** `<table>_default`: catches rows outside the partition window. */
export function defaultPartitionName(table: string): string {
  return fitIdentifier(`${table}_default`);
}

/** The index built on one partition and attached to the parent's index. */
export function partitionIndexName(partition: string, index: string): string {
  return fitIdentifier(`${partition}_${index}`);
}

/** `<mv>_key`: the unique index REFRESH MATERIALIZED VIEW CONCURRENTLY needs. */
export function viewKeyIndexName(view: string): string {
  return fitIdentifier(`${view}_key`);
}

/** `<schema>.refresh_<mv>()`. */
export function refreshFunctionName(schema: string, view: string): QualifiedName {
  return { schema, name: fitIdentifier(`refresh_${view}`) };
}

/** pg_cron job name `specql_refresh_<schema>_<mv>` (cron.schedule with the same name updates the job). */
export function refreshJobName(schema: string, view: string): string {
  return fitIdentifier(`specql_refresh_${schema}_${view}`);
}

/** pg_cron job name `specql_maintain_<schema>_<table>`: the daily partition maintenance. */
export function maintainJobName(schema: string, table: string): string {
  return fitIdentifier(`specql_maintain_${schema}_${table}`);
}

/** `<schema>.<table>_maintain_partitions(p_today date)`. */
export function maintainPartitionsFunctionName(schema: string, table: string): QualifiedName {
  return { schema, name: fitIdentifier(`${table}_maintain_partitions`) };
}

/** pg_cron job name `specql_drain_<schema>_<queue>`: drains a workflow queue where pg_cron exists. */
export function drainJobName(schema: string, queue: string): string {
  return fitIdentifier(`specql_drain_${schema}_${queue}`);
}
