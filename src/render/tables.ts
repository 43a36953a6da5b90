/**
 * Tables: CREATE TABLE and every ALTER TABLE form the planner uses, with the
 * locks each takes. ALTER TABLE on a partitioned parent recurses: it locks the
 * parent and every partition ACCESS EXCLUSIVE (VALIDATE takes SHARE UPDATE
 * EXCLUSIVE on each), so those statements list them all.
 */
import type { ColumnDef, ConstraintDef, PartitionObject, TableObject } from '../model/objects';
import { objectKey } from '../model/objects';
import { fitIdentifier, qualify, quoteIdent } from '../model/ident';
import type { Hazard, PlanStep } from '../model/step';
import type { TypeChangeKind } from './column-types';
import { tableAndPartitions, type RenderContext } from './context';
import { hazard, lockOn, locksOn, relationName, step } from './step';

export function columnSql(column: ColumnDef): string {
  const parts = [quoteIdent(column.name), column.type];
  if (column.identity) parts.push('GENERATED ALWAYS AS IDENTITY');
  else if (column.default !== null) parts.push(`DEFAULT ${column.default}`);
  if (column.notNull) parts.push('NOT NULL');
  return parts.join(' ');
}

const constraintSql = (constraint: ConstraintDef): string =>
  `CONSTRAINT ${quoteIdent(constraint.name)} ${constraint.kind === 'primary_key' ? 'PRIMARY KEY' : 'UNIQUE'} (${constraint.columns.map(quoteIdent).join(', ')})`;

/** `CREATE TABLE` with one column per line; a partitioned parent ends with PARTITION BY RANGE. */
export function createTableSql(table: TableObject): string {
  const lines = [...table.columns.map(columnSql), ...table.constraints.map(constraintSql)];
  const partitionBy = table.partitionBy === null ? '' : ` PARTITION BY RANGE (${quoteIdent(table.partitionBy.column)})`;
  return `CREATE TABLE ${qualify(table.schema, table.name)} (\n${lines.map((l) => `    ${l}`).join(',\n')}\n)${partitionBy};`;
}

export function createTable(table: TableObject): PlanStep {
  const what = table.role === 'queue' ? 'queue table' : table.partitionBy === null ? 'table' : `partitioned table (by range of ${table.partitionBy.column})`;
  return step({
    sql: createTableSql(table),
    object: objectKey(table),
    action: 'create',
    description: `create ${what} ${relationName(table)}`,
    // A new table: nobody else can be waiting on it.
  });
}

/** What an ALTER TABLE on `table` locks, and how the plan says so. */
function alterTable(context: RenderContext, table: TableObject, input: { sql: string; description: string; hazards?: readonly Hazard[]; group?: string; action?: 'alter' | 'drop' }): PlanStep {
  const relations = tableAndPartitions(context, table);
  const briefly = hazard(
    'access_exclusive_lock',
    `briefly locks ${relationName(table)}${relations.length > 1 ? ` and its ${relations.length - 1} partitions` : ''} (ACCESS EXCLUSIVE, bounded by lock_timeout)`,
  );
  const hazards = input.hazards ?? [];
  return step({
    sql: `ALTER TABLE ${qualify(table.schema, table.name)} ${input.sql};`,
    object: objectKey(table),
    action: input.action ?? 'alter',
    description: input.description,
    locks: locksOn(relations, 'ACCESS EXCLUSIVE'),
    hazards: hazards.some((h) => h.code === 'access_exclusive_lock' || h.code === 'rewrites_table') ? hazards : [briefly, ...hazards],
    ...(input.group ? { group: input.group } : {}),
  });
}

const columnLabel = (table: TableObject, column: string): string => `${relationName(table)}.${column}`;

export interface AddColumnFacts {
  /** A per-row default (volatile function, identity) makes PostgreSQL rewrite the table. */
  readonly rewrites: boolean;
  /** The table may already hold rows (exact answer or an estimate). */
  readonly mayHoldRows: boolean;
  /** The spec lists the column before this existing one; PostgreSQL appends it at the end. */
  readonly appendedBefore?: string | null;
}

export function addColumn(context: RenderContext, table: TableObject, column: ColumnDef, facts: AddColumnFacts, group?: string): PlanStep {
  const hazards: Hazard[] = [];
  if (facts.rewrites) {
    hazards.push(hazard('rewrites_table', `a per-row default (${column.identity ? 'identity' : 'a volatile function'}) of ${column.name} rewrites ${relationName(table)} under ACCESS EXCLUSIVE`));
  }
  if (column.notNull && column.default === null && !column.identity && facts.mayHoldRows) {
    hazards.push(hazard('may_fail_on_existing_data', `NOT NULL without a default fails if ${relationName(table)} holds rows`));
  }
  return alterTable(context, table, {
    sql: `ADD COLUMN ${columnSql(column)}`,
    description: `add column ${columnLabel(table, column.name)} ${column.type}${facts.appendedBefore ? ` (appended after the existing columns: PostgreSQL cannot place it before ${facts.appendedBefore} as the spec lists it)` : ''}`,
    hazards,
    ...(group ? { group } : {}),
  });
}

/**
 * ALTER COLUMN … TYPE, described by what it does to the stored values
 * (column-types.ts): a safe change is catalog-only; the others rewrite the
 * table; a lossy one names what happens to values that do not fit and, when
 * the plan edge counted them, how many current rows hold such values
 * (`affected`: null when not counted, e.g. planned without a database).
 * `loss`: for a lossy change, what happens to values that do not fit; for a rewrite, a note.
 */
export function alterColumnType(
  context: RenderContext,
  table: TableObject,
  column: ColumnDef,
  from: string,
  change: TypeChangeKind,
  loss = '',
  affected: { rows: number } | { error: string } | null = null,
  group?: string,
): PlanStep {
  const name = quoteIdent(column.name);
  const label = columnLabel(table, column.name);
  const hazards: Hazard[] = [];
  const rewriteNote = change === 'rewrite' && loss ? `; ${loss}` : '';
  if (change !== 'safe') hazards.push(hazard('rewrites_table', `${from} → ${column.type} rewrites ${relationName(table)} under ACCESS EXCLUSIVE (reads and writes wait until it is done)${rewriteNote}`));
  let counted = '';
  if (change === 'lossy') {
    counted =
      affected === null ? 'rows affected not counted (no database)'
      : 'rows' in affected ? `${affected.rows} current row(s) hold such values`
      : `the trial cast already fails on current rows: ${affected.error.split('\n')[0]}`;
    hazards.push(hazard('deletes_data', `${from} → ${column.type} on ${label}: ${loss}; ${counted}`));
  }
  const note = change === 'safe' ? ' (binary-compatible, no rewrite)' : change === 'lossy' ? ` (lossy: ${counted})` : ' (every value converts exactly; rewrite)';
  return alterTable(context, table, {
    sql: `ALTER COLUMN ${name} TYPE ${column.type}${change === 'safe' ? '' : ` USING ${name}::${column.type}`}`,
    description: `change type of ${label}: ${from} → ${column.type}${note}`,
    hazards,
    ...(group ? { group } : {}),
  });
}

export function setColumnDefault(context: RenderContext, table: TableObject, column: ColumnDef, group?: string): PlanStep {
  return alterTable(context, table, {
    sql: column.default === null ? `ALTER COLUMN ${quoteIdent(column.name)} DROP DEFAULT` : `ALTER COLUMN ${quoteIdent(column.name)} SET DEFAULT ${column.default}`,
    description: `${column.default === null ? 'drop default of' : 'set default of'} ${columnLabel(table, column.name)} (catalog only)`,
    ...(group ? { group } : {}),
  });
}

/**
 * A partition whose copy of a column default differs from its table's (one made
 * standalone without INCLUDING DEFAULTS and attached, or changed by hand): rows
 * inserted straight into it would get another value. Catalog only; a brief
 * ACCESS EXCLUSIVE on that partition.
 */
export function setPartitionColumnDefault(partition: PartitionObject, column: ColumnDef): PlanStep {
  const label = `${relationName(partition)}.${column.name}`;
  return step({
    sql: `ALTER TABLE ${qualify(partition.schema, partition.name)} ALTER COLUMN ${quoteIdent(column.name)} ${column.default === null ? 'DROP DEFAULT' : `SET DEFAULT ${column.default}`};`,
    object: objectKey(partition),
    action: 'alter',
    description: `${column.default === null ? 'drop default of' : 'set default of'} ${label} like its table's (it differs; catalog only)`,
    locks: [lockOn(partition, 'ACCESS EXCLUSIVE')],
    partition: { schema: partition.schema, name: partition.name },
    hazards: [hazard('access_exclusive_lock', `briefly locks partition ${relationName(partition)} (bounded by lock_timeout)`)],
  });
}

/**
 * SET NOT NULL without a scan under ACCESS EXCLUSIVE: a NOT VALID check (no
 * scan), VALIDATE (scans under SHARE UPDATE EXCLUSIVE: writers keep going),
 * SET NOT NULL (PostgreSQL 12+ proves it from the validated check, no scan),
 * drop the helper check. A run killed after the check was added leaves it
 * behind, so the first transaction drops a leftover before adding it again.
 */
export function setColumnNotNull(context: RenderContext, table: TableObject, column: ColumnDef): PlanStep[] {
  const check = quoteIdent(fitIdentifier(`${table.name}_${column.name}_not_null`));
  const label = columnLabel(table, column.name);
  const group = `${objectKey(table)}:not_null:${column.name}`;
  const relations = tableAndPartitions(context, table);
  return [
    alterTable(context, table, { sql: `DROP CONSTRAINT IF EXISTS ${check}`, description: `drop a leftover helper check on ${label}, if any`, group: `${group}:add` }),
    alterTable(context, table, {
      sql: `ADD CONSTRAINT ${check} CHECK (${quoteIdent(column.name)} IS NOT NULL) NOT VALID`,
      description: `add NOT VALID check ${label} IS NOT NULL (no scan)`,
      group: `${group}:add`,
    }),
    step({
      sql: `ALTER TABLE ${qualify(table.schema, table.name)} VALIDATE CONSTRAINT ${check};`,
      object: objectKey(table),
      action: 'alter',
      description: `validate ${label} IS NOT NULL (scan; readers and writers keep going)`,
      locks: locksOn(relations, 'SHARE UPDATE EXCLUSIVE'),
      hazards: [hazard('may_fail_on_existing_data', `fails if ${label} holds NULLs`)],
      group: `${group}:validate`,
    }),
    alterTable(context, table, {
      sql: `ALTER COLUMN ${quoteIdent(column.name)} SET NOT NULL`,
      description: `set ${label} NOT NULL (proved by the validated check, no scan)`,
      group: `${group}:set`,
    }),
    alterTable(context, table, { sql: `DROP CONSTRAINT ${check}`, description: `drop helper check on ${label}`, group: `${group}:set` }),
  ];
}

export function dropColumnNotNull(context: RenderContext, table: TableObject, column: ColumnDef, group?: string): PlanStep {
  return alterTable(context, table, {
    sql: `ALTER COLUMN ${quoteIdent(column.name)} DROP NOT NULL`,
    description: `drop NOT NULL on ${columnLabel(table, column.name)} (catalog only)`,
    ...(group ? { group } : {}),
  });
}

export function dropColumn(context: RenderContext, table: TableObject, column: string, group?: string): PlanStep {
  return alterTable(context, table, {
    sql: `DROP COLUMN ${quoteIdent(column)}`,
    description: `drop column ${columnLabel(table, column)} (removed from the spec)`,
    hazards: [hazard('deletes_data', `the values of column ${columnLabel(table, column)} are lost`)],
    action: 'drop',
    ...(group ? { group } : {}),
  });
}

/** Adds a primary key or unique constraint, replacing a live one of the same name. */
export function addConstraint(context: RenderContext, table: TableObject, constraint: ConstraintDef, replaces: boolean, group?: string): PlanStep[] {
  const kind = constraint.kind === 'primary_key' ? 'primary key' : 'unique';
  const hazards = [
    hazard('access_exclusive_lock', `locks ${relationName(table)} while the ${kind} index is built`),
    hazard('index_build', `builds the index of ${constraint.name}`),
    hazard('may_fail_on_existing_data', `fails if current rows have duplicates in (${constraint.columns.join(', ')})`),
  ];
  const add = alterTable(context, table, {
    sql: `ADD ${constraintSql(constraint)}`,
    description: `add ${kind} constraint ${constraint.name} on ${relationName(table)}`,
    hazards,
    ...(group ? { group } : {}),
  });
  if (!replaces) return [add];
  const drop = alterTable(context, table, {
    sql: `DROP CONSTRAINT ${quoteIdent(constraint.name)}`,
    description: `drop constraint ${constraint.name} on ${relationName(table)} to add it again changed`,
    group: group ?? `${objectKey(table)}:constraint:${constraint.name}`,
  });
  return [drop, { ...add, group: drop.group! }];
}

/**
 * Plain DROP (no CASCADE): PostgreSQL refuses while views or functions depend
 * on it. `holdsRows`: true, false, or null when unknown (treated as holding rows).
 */
export function dropTable(context: RenderContext, table: TableObject, holdsRows: boolean | null, why: string): PlanStep {
  const partitions = context.partitionsOf(table);
  const label = `${relationName(table)}${partitions.length ? ` and its ${partitions.length} partitions` : ''}`;
  return step({
    sql: `DROP TABLE ${qualify(table.schema, table.name)};`,
    object: objectKey(table),
    action: 'drop',
    description: `drop ${table.role === 'queue' ? 'queue table' : 'table'} ${label} (${why})`,
    locks: locksOn([table, ...partitions], 'ACCESS EXCLUSIVE'),
    hazards:
      holdsRows === false
        ? [hazard('access_exclusive_lock', `locks ${relationName(table)} (empty)`)]
        : [hazard('deletes_data', `${label} ${holdsRows ? 'holds rows' : 'may hold rows'}; they are deleted`)],
  });
}
