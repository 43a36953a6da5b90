import type { ColumnDef, TableObject } from '../model/objects';
import { objectKey } from '../model/objects';
import type { PlanStep } from '../model/step';
import { qualify, quoteIdent } from '../model/ident';
import { hazard, step } from './step';

export function columnSql(column: ColumnDef): string {
  const parts = [quoteIdent(column.name), column.type];
  if (column.identity) parts.push('GENERATED ALWAYS AS IDENTITY');
  else if (column.default !== null) parts.push(`DEFAULT ${column.default}`);
  if (column.notNull) parts.push('NOT NULL');
  return parts.join(' ');
}

/** `CREATE TABLE` with one column per line; a partitioned parent ends with PARTITION BY RANGE. */
export function createTableSql(table: TableObject): string {
  const lines = table.columns.map(columnSql);
  for (const constraint of table.constraints) {
    const kind = constraint.kind === 'primary_key' ? 'PRIMARY KEY' : 'UNIQUE';
    lines.push(`CONSTRAINT ${quoteIdent(constraint.name)} ${kind} (${constraint.columns.map(quoteIdent).join(', ')})`);
  }
  const partitionBy = table.partitionBy === null ? '' : ` PARTITION BY RANGE (${quoteIdent(table.partitionBy.column)})`;
  return `CREATE TABLE ${qualify(table.schema, table.name)} (\n${lines.map((l) => `    ${l}`).join(',\n')}\n)${partitionBy};`;
}

export function createTableSteps(table: TableObject): PlanStep[] {
  const what = table.partitionBy === null ? 'table' : `partitioned table (by range of ${table.partitionBy.column})`;
  return [
    step({
      sql: createTableSql(table),
      object: objectKey(table),
      description: `create ${what} ${table.schema}.${table.name}`,
      // A new table: nothing else can be waiting on it.
      lock: 'none',
    }),
  ];
}

/** Plain DROP (no CASCADE): PostgreSQL refuses while views or functions depend on it. */
export function dropTableSteps(table: TableObject): PlanStep[] {
  const partitions = table.partitionBy === null ? '' : ' and all its partitions';
  return [
    step({
      sql: `DROP TABLE ${qualify(table.schema, table.name)};`,
      object: objectKey(table),
      description: `drop table ${table.schema}.${table.name}${partitions}`,
      lock: 'ACCESS EXCLUSIVE',
      hazards: [hazard('deletes_data', `every row of ${table.schema}.${table.name}${partitions} is deleted`)],
    }),
  ];
}
