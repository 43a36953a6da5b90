/**
 * bulkLoad: the client side of the bulk hints.
 *
 * copy_mode → rows stream with COPY into the partitioned parent (./copy.ts).
 *
 * disable_indexes → REINDEX (and dropping/recreating indexes) cannot happen inside a function, and
 * dropping a parent's index would hurt every reader. What PostgreSQL does support is building
 * a partition's indexes once, after its data is in: when every row falls into ONE interval whose
 * partition does not exist yet, the rows are COPYed into a standalone table
 * (CREATE TABLE … (LIKE parent INCLUDING DEFAULTS INCLUDING CONSTRAINTS)), the parent's indexes
 * are built on it in bulk, and ALTER TABLE parent ATTACH PARTITION adopts it: PostgreSQL matches
 * each parent index to the pre-built one instead of building again, and validates the bound with
 * one scan (and one of DEFAULT, which must not hold rows of that range).
 * The parent's statement triggers do not fire for rows that arrive by ATTACH, so bulkLoad enqueues
 * them into each asynchronous workflow queue itself, in the same transaction (metrics stay exact).
 * In every other case it falls back to plain COPY into the parent and says why.
 *
 * bulkLoad runs its own transaction: call it on a client that is not inside one.
 */
import type { ClientBase } from 'pg';
import { actionObjects } from '../desired/actions';
import { entityTableName, partitionIndexName, partitionName, primaryKeyName } from '../desired/naming';
import type { TableObject } from '../model/objects';
import { addIntervals, intervalStart } from '../desired/window';
import type { EntitySpec, SpecSet, WorkflowAction } from '../spec/model';
import { qualify, quoteIdent, quoteLiteral } from '../model/ident';
import { copyRows, type TableName } from './copy';

export interface BulkLoadOptions {
  /** Build indexes once on a new partition, then attach it (see above). */
  readonly disableIndexes?: boolean;
}

export interface BulkLoadResult {
  readonly rows: number;
  readonly method: 'copy' | 'attach_partition';
  /** The partition created and attached (attach_partition only). */
  readonly partition: string | null;
  /** Why plain COPY was used although disableIndexes was asked for. */
  readonly fallbackReason: string | null;
}

interface AttachPlan {
  readonly partition: TableName;
  readonly from: string;
  readonly to: string;
}

const boundLiteral = (day: string): string => quoteLiteral(`${day} 00:00:00+00`);

/** Only values whose instant JavaScript and PostgreSQL agree on: Dates, epoch milliseconds and
 *  ISO strings with an explicit offset (without one PostgreSQL would use the session time zone). */
function toInstant(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}[T ][\d:.]+(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value)) return null;
  if (typeof value === 'string' || typeof value === 'number') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** The single interval holding every row, or why there is none. */
function singleInterval(entity: EntitySpec, rows: readonly object[]): { from: string; to: string } | string {
  const partitioning = entity.partitioning;
  if (!partitioning) return `${entity.entity} is not partitioned`;
  if (rows.length === 0) return 'no rows';
  let from: string | null = null;
  for (const [i, row] of rows.entries()) {
    const instant = toInstant((row as Record<string, unknown>)[partitioning.column]);
    if (!instant) return `row ${i + 1}: ${partitioning.column} is not a Date or an ISO timestamp with an explicit offset`;
    const start = intervalStart(partitioning.interval, instant.toISOString().slice(0, 10));
    if (from === null) from = start;
    else if (start !== from) return `rows span more than one ${partitioning.interval} interval (${from} and ${start})`;
  }
  return { from: from!, to: addIntervals(partitioning.interval, from!, 1) };
}

async function overlappingPartition(client: ClientBase, parent: TableName, from: string, to: string): Promise<string | null> {
  const { rows } = await client.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = $1::regclass ORDER BY 1`,
    [qualify(parent.schema, parent.name)],
  );
  for (const r of rows) {
    const m = /FROM \((.+)\) TO \((.+)\)/.exec(r.bound);
    if (!m) continue; // DEFAULT: ATTACH checks it holds no rows of the new range
    const literal = (s: string): string => (/^(MINVALUE|MAXVALUE)$/.test(s) ? (s === 'MINVALUE' ? "'-infinity'" : "'infinity'") : s);
    const { rows: overlap } = await client.query<{ overlaps: boolean }>(
      `SELECT ${literal(m[1]!)}::timestamptz < ${boundLiteral(to)}::timestamptz
          AND ${boundLiteral(from)}::timestamptz < ${literal(m[2]!)}::timestamptz AS overlaps`,
    );
    if (overlap[0]!.overlaps) return r.name;
  }
  return null;
}

/** CREATE INDEX / ADD CONSTRAINT statements reproducing the parent's indexes on `partition`. */
async function partitionIndexSql(client: ClientBase, parent: TableName, partition: TableName): Promise<string[]> {
  const { rows } = await client.query<{ index: string; def: string; constraint_def: string | null; contype: string | null }>(
    `SELECT ic.relname AS index, pg_get_indexdef(x.indexrelid) AS def,
            pg_get_constraintdef(con.oid) AS constraint_def, con.contype::text AS contype
     FROM pg_index x
     JOIN pg_class ic ON ic.oid = x.indexrelid
     LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid
     WHERE x.indrelid = $1::regclass
     ORDER BY x.indisprimary DESC, ic.relname`,
    [qualify(parent.schema, parent.name)],
  );
  const table = qualify(partition.schema, partition.name);
  return rows.map((r) => {
    if (r.constraint_def && (r.contype === 'p' || r.contype === 'u')) {
      // Constraint indexes must be constraints on the partition too, or ATTACH builds new ones.
      const name = r.contype === 'p' ? primaryKeyName(partition.name) : partitionIndexName(partition.name, r.index);
      return `ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(name)} ${r.constraint_def}`;
    }
    const m = /^CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ (USING .*)$/.exec(r.def);
    if (!m) throw new Error(`unexpected index definition: ${r.def}`);
    return `CREATE ${m[1] ?? ''}INDEX ${quoteIdent(partitionIndexName(partition.name, r.index))} ON ${table} ${m[2]}`;
  });
}

export async function bulkLoad(
  client: ClientBase,
  entity: EntitySpec,
  specs: SpecSet,
  rows: readonly object[],
  options: BulkLoadOptions = {},
): Promise<BulkLoadResult> {
  const parent = entityTableName(entity);
  const columns = entity.fields.map((f) => f.name);
  const plainCopy = async (fallbackReason: string | null): Promise<BulkLoadResult> => ({
    rows: await copyRows(client, parent, columns, rows),
    method: 'copy',
    partition: null,
    fallbackReason,
  });
  if (!options.disableIndexes) return plainCopy(null);

  const synchronous = entity.actions.find((a): a is WorkflowAction => a.kind === 'workflow' && !a.hints.asyncExecution);
  if (synchronous) return plainCopy(`workflow ${synchronous.name} runs synchronously in the insert trigger, which ATTACH PARTITION would bypass`);
  const interval = singleInterval(entity, rows);
  if (typeof interval === 'string') return plainCopy(interval);
  const existing = await overlappingPartition(client, parent, interval.from, interval.to);
  if (existing) return plainCopy(`partition ${existing} already holds the range [${interval.from}, ${interval.to})`);

  const plan: AttachPlan = {
    partition: { schema: parent.schema, name: partitionName(entity.table, entity.partitioning!.interval, interval.from) },
    ...interval,
  };
  const queues = actionObjects(entity, specs).objects.filter((o): o is TableObject => o.kind === 'table' && o.role === 'queue');
  const partition = qualify(plan.partition.schema, plan.partition.name);
  await client.query('BEGIN');
  try {
    await client.query(`CREATE TABLE ${partition} (LIKE ${qualify(parent.schema, parent.name)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    const loaded = await copyRows(client, plan.partition, columns, rows);
    for (const sql of await partitionIndexSql(client, parent, plan.partition)) await client.query(sql);
    try {
      await client.query(
        `ALTER TABLE ${qualify(parent.schema, parent.name)} ATTACH PARTITION ${partition} ` +
          `FOR VALUES FROM (${boundLiteral(plan.from)}) TO (${boundLiteral(plan.to)})`,
      );
    } catch (err) {
      // e.g. the DEFAULT partition holds rows of this range: nothing is lost, load the usual way.
      await client.query('ROLLBACK');
      return plainCopy(`ATTACH PARTITION failed: ${(err as Error).message}`);
    }
    for (const q of queues) {
      const fields = q.columns.filter((c) => !c.identity && c.default === null).map((c) => quoteIdent(c.name));
      await client.query(`INSERT INTO ${qualify(q.schema, q.name)} (${fields.join(', ')}) SELECT ${fields.join(', ')} FROM ${partition}`);
    }
    await client.query('COMMIT');
    return { rows: loaded, method: 'attach_partition', partition: `${plan.partition.schema}.${plan.partition.name}`, fallbackReason: null };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
