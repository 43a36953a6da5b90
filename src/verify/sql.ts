/**
 * SQL building blocks shared by the server-side checks (./performance-checks.ts, ./structural-checks.ts),
 * which run both as `specql verify`'s temporary functions and as the pgTAP
 * test functions (./pgtap.ts). Everything here is plpgsql text in which spec
 * names appear only through quoteIdent/qualify and values only through
 * quoteLiteral or `$n` parameters.
 *
 * Conventions of the generated blocks: `v_from` and `v_to` (timestamptz) hold
 * the time window of the check, `v_rows` (jsonb) the synthetic rows.
 */
import type { EntitySpec, PartitionInterval } from '../spec/model';
import { entityPlan, refUuid, rowGenerator, type ColumnPlan } from '../loadtest/synthetic';
import { qualify, quoteIdent, quoteLiteral } from '../model/ident';

const UNIT: Readonly<Record<PartitionInterval, { trunc: string; step: string; noun: string }>> = {
  daily: { trunc: 'day', step: '1 day', noun: 'day' },
  weekly: { trunc: 'week', step: '1 week', noun: 'week' },
  monthly: { trunc: 'month', step: '1 month', noun: 'month' },
  yearly: { trunc: 'year', step: '1 year', noun: 'year' },
};

export const intervalNoun = (interval: PartitionInterval): string => UNIT[interval].noun;

export const tableOf = (entity: EntitySpec): string => qualify(entity.schema, entity.table);

/**
 * `SELECT … AS v_from, … AS v_to`: the partition interval containing now
 * (UTC), or the first interval when the window starts later; for an
 * unpartitioned entity, the last 30 days.
 */
export function windowQuery(entity: EntitySpec): string {
  const p = entity.partitioning;
  if (p === null) return "SELECT now() - interval '30 days' AS v_from, now() AS v_to";
  const unit = UNIT[p.interval];
  const current = `date_trunc(${quoteLiteral(unit.trunc)}, now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
  // Without a `start`, the window begins at the current interval (the generator's rule), so there is nothing to compare with.
  const from = p.start === null ? current : `greatest(${current}, ${quoteLiteral(`${p.start} 00:00:00+00`)}::timestamptz)`;
  return `SELECT f AS v_from, ((f AT TIME ZONE 'UTC') + interval ${quoteLiteral(unit.step)}) AT TIME ZONE 'UTC' AS v_to FROM (SELECT ${from} AS f) AS w`;
}

/** Sets v_from/v_to (see windowQuery). */
export function windowSql(entity: EntitySpec): string {
  return `SELECT w.v_from, w.v_to INTO v_from, v_to FROM (${windowQuery(entity)}) AS w;`;
}

/** A timestamptz variable as a value of the column's type (UTC for the zone-less ones). */
export function asColumnType(variable: string, type: string): string {
  if (type === 'date') return `(${variable} AT TIME ZONE 'UTC')::date`;
  if (type === 'timestamp without time zone') return `(${variable} AT TIME ZONE 'UTC')`;
  return variable;
}

const typed = (expression: string, type: string): string => `(${expression})::${type}`;

/** The SQL twin of the load-test generator: one expression per column, over `g` (1…N); `table` is the qualified table. */
export function columnExpression(column: ColumnPlan, table: string): string {
  const { plan, type } = column;
  switch (plan.kind) {
    case 'uuid_unique':
      return 'gen_random_uuid()';
    case 'uuid_ref':
      return `(${quoteLiteral(refUuid(plan.prefix, 0).slice(0, 24))} || lpad(to_hex(floor(random() * ${plan.refs})::int), 12, '0'))::uuid`;
    case 'int_unique':
      // Past every existing key: the subquery runs once (an InitPlan).
      return typed(`(SELECT coalesce(max(${quoteIdent(column.column)}), 0) FROM ${table}) + g`, type);
    case 'int':
      return typed(`${plan.min} + floor(random() * ${plan.max - plan.min + 1})`, type);
    case 'numeric':
      return typed(`round((random() * ${plan.max})::numeric, ${plan.scale})`, type);
    case 'float':
      return typed(`random() * ${plan.max}`, type);
    case 'text_unique':
      return plan.maxLength === null ? 'gen_random_uuid()::text' : `left(gen_random_uuid()::text, ${plan.maxLength})`;
    case 'text':
      return typed(`(ARRAY[${plan.vocabulary.map(quoteLiteral).join(', ')}])[1 + floor(random() * ${plan.vocabulary.length})::int]`, type);
    case 'boolean':
      return 'random() < 0.5';
    case 'time':
      return asColumnType('(v_from + random() * (v_to - v_from))', type);
    case 'interval':
      return "make_interval(secs => floor(random() * 86400))";
    case 'jsonb':
      return "jsonb_build_object('n', g)";
  }
}

/** jsonb_build_object takes at most 100 arguments: wide rows are built in chunks and concatenated. */
function jsonObject(pairs: readonly [string, string][]): string {
  const chunks: string[] = [];
  for (let i = 0; i < pairs.length; i += 50) {
    chunks.push(`jsonb_build_object(${pairs.slice(i, i + 50).map(([k, v]) => `${quoteLiteral(k)}, ${v}`).join(', ')})`);
  }
  return chunks.join(' || ') || "'{}'::jsonb";
}

/** `v_rows := <N synthetic rows as a jsonb array>` for the entity, times within [v_from, v_to). */
export function rowsSql(entity: EntitySpec, count: number, variable = 'v_rows'): string {
  const pairs = entityPlan(entity).map((c): [string, string] => [c.column, columnExpression(c, tableOf(entity))]);
  return [`SELECT coalesce(jsonb_agg(${jsonObject(pairs)}), '[]'::jsonb)`, `INTO ${variable}`, `FROM generate_series(1, ${count}) AS s(g);`].join('\n');
}

/** `INSERT INTO t (cols) SELECT cols FROM jsonb_populate_recordset(NULL::t, v_rows);` */
export function insertRowsSql(entity: EntitySpec, variable = 'v_rows'): string {
  const columns = entity.fields.map((f) => quoteIdent(f.name)).join(', ');
  return `INSERT INTO ${tableOf(entity)} (${columns})\nSELECT ${columns} FROM jsonb_populate_recordset(NULL::${tableOf(entity)}, ${variable});`;
}

/** A typed constant for an equality predicate on `column` (a value the generator could produce). */
export function sampleValue(entity: EntitySpec, column: string): string {
  const field = entity.fields.find((f) => f.name === column);
  if (!field) throw new Error(`${entity.entity} has no field ${column}`);
  const row = rowGenerator(entity, 1, { fromMs: Date.UTC(2024, 0, 1), toMs: Date.UTC(2024, 0, 2) }).row(0);
  const value = row[column];
  return `${quoteLiteral(String(value))}::${field.type}`;
}

/**
 * Rows (oid, name, lower_bound, upper_bound, is_default) of the leaf partitions of
 * the entity's table, bounds read back from pg_get_expr and cast to the
 * partition column's type. Works the same on PostgreSQL 15–18.
 */
export function partitionBoundsQuery(entity: EntitySpec): string {
  const column = entity.fields.find((f) => f.name === entity.partitioning?.column);
  const columnType = column?.type ?? 'timestamp with time zone';
  const bound = (which: 'FROM' | 'TO') =>
    `(substring(pg_get_expr(c.relpartbound, c.oid) from '${which} \\(''([^'']*)''\\)'))::${columnType}`;
  return [
    'SELECT c.oid, c.relname::text AS name,',
    `       ${bound('FROM')} AS lower_bound,`,
    `       ${bound('TO')} AS upper_bound,`,
    "       pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' AS is_default",
    `FROM pg_partition_tree(${quoteLiteral(tableOf(entity))}::regclass) AS t`,
    'JOIN pg_class c ON c.oid = t.relid',
    'WHERE t.isleaf AND t.level > 0',
  ].join('\n');
}

/** `(^|[^a-z0-9_])col([^a-z0-9_]|$)`: a regular expression finding a column in an EXPLAIN condition. */
export function columnPattern(column: string): string {
  const ident = quoteIdent(column).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `(^|[^a-z0-9_])${ident}([^a-z0-9_]|$)`;
}
