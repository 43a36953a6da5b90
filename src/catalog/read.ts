/**
 * Reads the live database into the same DbObject model the generator
 * produces, in one read-only transaction and one query per object kind
 * (./queries.ts) — never one query per object, so planning 100 entities costs
 * the same dozen round trips as planning one.
 */
import type { Client } from 'pg';
import type {
  ColumnDef,
  ConstraintDef,
  DbObject,
  FunctionObject,
  Grant,
  IndexColumn,
  IndexObject,
  MaterializedViewObject,
  PartitionObject,
  QualifiedName,
  TableObject,
  TriggerObject,
} from '../model/objects';
import { objectKey } from '../model/objects';
import { loadExpressionParser, type SqlExpression } from '../model/expression';
import { parseMarker, type Marker } from '../model/markers';
import { canonicalDefault, parsePartitionBound, parseReloptions } from './normalize';
import * as Q from './queries';
import type { LiveCatalog, LiveChildIndex, LiveIndexFacts, LooseIndex, ViewDependency, ViewSnapshot } from './types';

type Row = Record<string, unknown>;
const METHODS = new Set(['btree', 'brin', 'hash', 'gist', 'gin']);
const qn = (schema: string, name: string): string => `${schema}.${name}`;

/** The part of an index definition that must match for two indexes to be interchangeable. */
export function indexSignature(index: Pick<IndexObject, 'method' | 'columns' | 'unique' | 'with'>): string {
  const cols = index.columns.map((c) => `${c.column}${c.descending ? ' desc' : ''}${c.opclass ? ` ${c.opclass}` : ''}`);
  const opts = Object.entries(index.with)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  return `${index.unique ? 'unique ' : ''}${index.method}(${cols.join(',')})${opts.length ? ` with(${opts.join(',')})` : ''}`;
}

export async function readCatalog(client: Client, schemas: readonly string[]): Promise<LiveCatalog> {
  await loadExpressionParser(); // live defaults are compared as parse trees (./normalize.ts)
  const list = [...new Set(schemas)];
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query(`SET LOCAL TimeZone = 'UTC'`);
    const run = async (sql: string, params: unknown[] = [list]): Promise<Row[]> => (await client.query(sql, params)).rows as Row[];
    const version = Number((await run(`SELECT current_setting('server_version_num') AS v`, []))[0]!.v);
    const schemaRows = await run(Q.SCHEMAS);
    const extensionRows = await run(Q.EXTENSIONS, []);
    const tableRows = await run(Q.TABLES);
    const columnRows = await run(Q.COLUMNS);
    const constraintRows = await run(Q.CONSTRAINTS);
    const partitionRows = await run(Q.PARTITIONS);
    const indexRows = await run(Q.INDEXES);
    const functionRows = await run(Q.FUNCTIONS);
    const triggerRows = await run(Q.TRIGGERS);
    const viewRows = await run(Q.MATERIALIZED_VIEWS);
    const dependencyRows = await run(Q.VIEW_DEPENDENCIES);
    const partitionColumnRows = await run(Q.PARTITION_COLUMN_DEFAULTS);
    const cron = (await run(Q.CRON_AVAILABLE, []))[0]!;
    const pgCron = Boolean(cron.available) && Boolean(cron.installed);
    const cronRows = pgCron ? await run(Q.CRON_JOBS, []) : [];
    await client.query('COMMIT');
    return assemble({
      version, list, schemaRows, extensionRows, tableRows, columnRows, constraintRows, partitionRows,
      indexRows, functionRows, triggerRows, viewRows, cronRows, dependencyRows, partitionColumnRows, pgCron,
    });
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

interface Rows {
  version: number;
  list: string[];
  schemaRows: Row[];
  extensionRows: Row[];
  tableRows: Row[];
  columnRows: Row[];
  constraintRows: Row[];
  partitionRows: Row[];
  indexRows: Row[];
  functionRows: Row[];
  triggerRows: Row[];
  viewRows: Row[];
  cronRows: Row[];
  dependencyRows: Row[];
  partitionColumnRows: Row[];
  pgCron: boolean;
}

/** aclexplode() rows as Grants, sorted (one order for comparing and for GRANT steps). */
function grantsOf(value: unknown, skipPublic = false): Grant[] {
  const rows = (Array.isArray(value) ? value : []) as { grantee: string; privilege: string; grantable: boolean }[];
  return rows
    .filter((g) => !(skipPublic && g.grantee === 'PUBLIC'))
    .map((g) => ({ grantee: String(g.grantee), privilege: String(g.privilege), grantable: Boolean(g.grantable) }))
    .sort((a, b) => a.grantee.localeCompare(b.grantee) || a.privilege.localeCompare(b.privilege));
}

function assemble(r: Rows): LiveCatalog {
  const objects: DbObject[] = [];
  const markers = new Map<string, Marker>();
  const rowEstimates = new Map<string, number>();
  const archived = new Set<string>();
  const grants = new Map<string, Grant[]>();
  const viewSnapshots = new Map<string, ViewSnapshot>();
  const keepGrants = (object: DbObject, list: Grant[]): void => {
    if (list.length) grants.set(objectKey(object), list);
  };
  const mark = (object: DbObject, comment: unknown): void => {
    const marker = parseMarker(comment as string | null);
    if (marker) markers.set(objectKey(object), marker);
  };

  for (const row of r.schemaRows) objects.push({ kind: 'schema', name: String(row.name) });
  for (const row of r.extensionRows) objects.push({ kind: 'extension', name: String(row.name), schema: String(row.schema), reason: '' });

  const columnsOf = groupBy(r.columnRows, (row) => qn(String(row.schema), String(row.table)));
  const constraintsOf = groupBy(r.constraintRows, (row) => qn(String(row.schema), String(row.table)));
  const partitionedTables = new Set<string>();
  for (const row of r.tableRows) {
    const schema = String(row.schema);
    const name = String(row.name);
    const marker = parseMarker(row.comment as string | null);
    if (marker?.fields.archived) {
      archived.add(qn(schema, name));
      continue;
    }
    if (marker?.fields.snapshot) {
      viewSnapshots.set(qn(schema, name), { entity: marker.entity, grants: grantsOf(row.grants) });
      continue;
    }
    const columns: ColumnDef[] = (columnsOf.get(qn(schema, name)) ?? []).map((c) => {
      const type = String(c.type);
      const identity = Boolean(c.identity);
      return {
        name: String(c.name),
        type,
        notNull: Boolean(c.not_null),
        default: identity ? null : canonicalDefault(c.default as string | null, type),
        identity,
      };
    });
    const constraints: ConstraintDef[] = (constraintsOf.get(qn(schema, name)) ?? []).map((c) => ({
      name: String(c.name),
      kind: c.type === 'p' ? 'primary_key' : 'unique',
      columns: c.columns as string[],
    }));
    const partitioned = row.relkind === 'p';
    if (partitioned) partitionedTables.add(qn(schema, name));
    const table: TableObject = {
      kind: 'table',
      schema,
      name,
      columns,
      constraints,
      partitionBy: partitioned && row.strategy === 'r' ? { strategy: 'range', column: String(row.partition_column) } : null,
      entity: marker?.entity ?? null,
      role: marker?.fields.role === 'queue' ? 'queue' : 'entity',
    };
    objects.push(table);
    mark(table, row.comment);
    keepGrants(table, grantsOf(row.grants));
    rowEstimates.set(objectKey(table), Number(row.reltuples));
  }

  const partitionsOf = new Map<string, QualifiedName[]>();
  for (const row of r.partitionRows) {
    const bound = parsePartitionBound(String(row.bound));
    if (!bound) continue; // list/hash partitions are not part of the model
    const partition: PartitionObject = {
      kind: 'partition',
      schema: String(row.schema),
      name: String(row.name),
      parent: { schema: String(row.parent_schema), name: String(row.parent_name) },
      bound,
    };
    objects.push(partition);
    mark(partition, row.comment);
    rowEstimates.set(objectKey(partition), Number(row.reltuples));
    const parentKey = qn(partition.parent.schema, partition.parent.name);
    partitionsOf.set(parentKey, [...(partitionsOf.get(parentKey) ?? []), { schema: partition.schema, name: partition.name }]);
  }

  // Indexes: parents and plain ones become IndexObjects; attached children become
  // facts of their parent; unattached ones on partitions are "loose" (resume material).
  const indexFacts = new Map<string, LiveIndexFacts>();
  const looseIndexes: LooseIndex[] = [];
  const childrenOf = new Map<string, { partition: QualifiedName; name: string; valid: boolean }[]>();
  const viewIndexes = new Map<string, Row[]>();
  const parents: { index: IndexObject; valid: boolean; comment: unknown }[] = [];
  for (const row of r.indexRows) {
    if (row.backs_constraint) continue;
    const tableKey = qn(String(row.table_schema), String(row.table_name));
    if (archived.has(tableKey)) continue;
    if (row.table_kind === 'm') {
      viewIndexes.set(tableKey, [...(viewIndexes.get(tableKey) ?? []), row]);
      continue;
    }
    const columns: IndexColumn[] = (row.columns as string[]).map((column, i) => ({
      column,
      descending: (row.descending as boolean[])[i] ?? false,
      opclass: (row.opclasses as string[])[i] || null,
    }));
    const method = String(row.method);
    if (!METHODS.has(method) || row.has_expressions) continue; // outside the model; never touched
    const index: IndexObject = {
      kind: 'index',
      schema: String(row.schema),
      name: String(row.name),
      table: { schema: String(row.table_schema), name: String(row.table_name) },
      method: method as IndexObject['method'],
      columns,
      unique: Boolean(row.unique),
      with: parseReloptions(row.options as string[] | null),
      partitioned: row.table_kind === 'p',
    };
    if (row.on_partition) {
      if (row.parent_index) {
        const parentKey = qn(String(row.parent_index_schema), String(row.parent_index));
        childrenOf.set(parentKey, [...(childrenOf.get(parentKey) ?? []), { partition: index.table, name: index.name, valid: Boolean(row.valid) }]);
      } else {
        looseIndexes.push({ schema: index.schema, name: index.name, table: index.table, valid: Boolean(row.valid), signature: indexSignature(index) });
      }
      continue;
    }
    parents.push({ index, valid: Boolean(row.valid), comment: row.comment });
  }
  for (const { index, valid, comment } of parents) {
    objects.push(index);
    mark(index, comment);
    let children: LiveChildIndex[] = [];
    let incomplete = false;
    if (index.partitioned) {
      const attached = childrenOf.get(qn(index.schema, index.name)) ?? [];
      children = (partitionsOf.get(qn(index.table.schema, index.table.name)) ?? []).map((partition) => {
        const child = attached.find((c) => c.partition.schema === partition.schema && c.partition.name === partition.name);
        return { partition, attached: child ? { name: child.name, valid: child.valid } : null };
      });
      incomplete = children.some((c) => !c.attached || !c.attached.valid);
    }
    indexFacts.set(objectKey(index), { valid, incomplete, children });
  }

  for (const row of r.functionRows) {
    const types = row.arg_types as string[];
    const names = row.arg_names as string[];
    const config = (row.config as string[] | null) ?? [];
    const searchPath = config.find((c) => c.startsWith('search_path='))?.slice('search_path='.length) ?? null;
    const volatility = row.volatility === 'i' ? 'immutable' : row.volatility === 's' ? 'stable' : 'volatile';
    const fn: FunctionObject = {
      kind: 'function',
      schema: String(row.schema),
      name: String(row.name),
      args: types.map((type, i) => ({ name: names[i] ?? '', type })),
      returns: String(row.returns),
      language: String(row.language) as FunctionObject['language'],
      body: String(row.body),
      volatility,
      securityDefiner: Boolean(row.security_definer),
      searchPath,
      revokePublic: !row.public_execute,
      purpose: '',
    };
    objects.push(fn);
    mark(fn, row.comment);
    keepGrants(fn, grantsOf(row.grants, true));
  }

  for (const row of r.triggerRows) {
    const type = Number(row.type);
    const events: TriggerObject['events'][number][] = [];
    if (type & 4) events.push('INSERT');
    if (type & 16) events.push('UPDATE');
    if (type & 8) events.push('DELETE');
    const trigger: TriggerObject = {
      kind: 'trigger',
      name: String(row.name),
      table: { schema: String(row.table_schema), name: String(row.table_name) },
      timing: type & 2 ? 'BEFORE' : 'AFTER',
      events,
      level: type & 1 ? 'ROW' : 'STATEMENT',
      newTable: (row.new_table as string | null) ?? null,
      function: { schema: String(row.function_schema), name: String(row.function_name) },
    };
    objects.push(trigger);
    mark(trigger, row.comment);
  }

  for (const row of r.viewRows) {
    const schema = String(row.schema);
    const name = String(row.name);
    const unique = (viewIndexes.get(qn(schema, name)) ?? []).find((i) => i.unique && !i.has_expressions);
    const view: MaterializedViewObject = {
      kind: 'materialized_view',
      schema,
      name,
      query: String(row.query),
      uniqueIndex: { name: unique ? String(unique.name) : '', columns: unique ? (unique.columns as string[]) : [] },
      // The schedule lives in the refresh function and the cron job, which are objects of their own.
      refresh: { strategy: unique ? 'concurrent' : 'blocking', interval: '', seconds: 0, cron: '', function: { schema, name: '' } },
    };
    objects.push(view);
    mark(view, row.comment);
    keepGrants(view, grantsOf(row.grants));
  }

  for (const row of r.cronRows) {
    objects.push({ kind: 'cron_job', name: String(row.name), schedule: String(row.schedule), command: String(row.command) });
  }

  const partitionDefaults = new Map<string, Map<string, SqlExpression | null>>();
  for (const row of r.partitionColumnRows) {
    const key = `partition:${String(row.schema)}.${String(row.partition)}`;
    const columns = partitionDefaults.get(key) ?? new Map<string, SqlExpression | null>();
    columns.set(String(row.name), canonicalDefault(row.default as string | null, String(row.type)));
    partitionDefaults.set(key, columns);
  }

  const viewDependencies: ViewDependency[] = r.dependencyRows.map((row) => ({
    view: { schema: String(row.view_schema), name: String(row.view_name) },
    materialized: Boolean(row.materialized),
    table: { schema: String(row.table_schema), name: String(row.table_name) },
    column: String(row.column),
  }));

  return {
    objects,
    markers,
    rowEstimates,
    hasRows: new Map(),
    lossyRows: new Map(),
    defaultRows: new Map(),
    defaultForms: new Map(),
    indexFacts,
    looseIndexes,
    archived,
    pgCron: r.pgCron,
    serverVersion: r.version,
    schemas: r.list,
    grants,
    viewDependencies,
    viewSnapshots,
    partitionDefaults,
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
