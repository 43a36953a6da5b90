/** Hand-built DesiredState pieces for planner/apply tests, independent of the spec loader. */
import type {
  ColumnDef,
  DbObject,
  DesiredState,
  EntityOutputs,
  FunctionObject,
  IndexObject,
  MaterializedViewObject,
  PartitionObject,
  QualifiedName,
  TableObject,
  TriggerObject,
} from '../../src/model/objects';
import { sql } from './sql';

export const col = (name: string, type: string, extra: Partial<Omit<ColumnDef, 'default'>> & { default?: string | null } = {}): ColumnDef => ({
  name,
  type,
  notNull: false,
  identity: false,
  ...extra,
  default: extra.default == null ? null : sql(extra.default),
});

export function table(schema: string, name: string, columns: ColumnDef[], extra: Partial<TableObject> = {}): TableObject {
  return { kind: 'table', schema, name, columns, constraints: [], partitionBy: null, entity: 'E', role: 'entity', ...extra };
}

/** Monthly range partitions `<table>_pYYYY_MM` from `from` (YYYY-MM) for `count` months, plus DEFAULT. */
export function monthly(parent: QualifiedName, fromMonth: string, count: number, withDefault = true): PartitionObject[] {
  const [y, m] = fromMonth.split('-').map(Number) as [number, number];
  const out: PartitionObject[] = [];
  for (let i = 0; i < count; i++) {
    const a = new Date(Date.UTC(y, m - 1 + i, 1));
    const b = new Date(Date.UTC(y, m + i, 1));
    const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const suffix = `${a.getUTCFullYear()}_${String(a.getUTCMonth() + 1).padStart(2, '0')}`;
    out.push({ kind: 'partition', schema: parent.schema, name: `${parent.name}_p${suffix}`, parent, bound: { kind: 'range', from: iso(a), to: iso(b) } });
  }
  if (withDefault) out.push({ kind: 'partition', schema: parent.schema, name: `${parent.name}_default`, parent, bound: { kind: 'default' } });
  return out;
}

export function index(t: TableObject, name: string, columns: string[], extra: Partial<IndexObject> = {}): IndexObject {
  return {
    kind: 'index',
    schema: t.schema,
    name,
    table: { schema: t.schema, name: t.name },
    method: 'btree',
    columns: columns.map((c) => ({ column: c.replace(/ desc$/i, ''), descending: / desc$/i.test(c), opclass: null })),
    unique: false,
    with: {},
    partitioned: t.partitionBy !== null,
    ...extra,
  };
}

export function fn(schema: string, name: string, body: string, extra: Partial<FunctionObject> = {}): FunctionObject {
  return {
    kind: 'function',
    schema,
    name,
    args: [],
    returns: 'trigger',
    language: 'plpgsql',
    body,
    volatility: 'volatile',
    securityDefiner: false,
    searchPath: null,
    revokePublic: false,
    purpose: 'test',
    ...extra,
  };
}

export function trigger(t: TableObject, name: string, f: FunctionObject, extra: Partial<TriggerObject> = {}): TriggerObject {
  return {
    kind: 'trigger',
    name,
    table: { schema: t.schema, name: t.name },
    timing: 'AFTER',
    events: ['INSERT'],
    level: 'STATEMENT',
    newTable: null,
    function: { schema: f.schema, name: f.name },
    ...extra,
  };
}

export function view(schema: string, name: string, query: string, keyColumns: string[]): MaterializedViewObject {
  return {
    kind: 'materialized_view',
    schema,
    name,
    query,
    uniqueIndex: { name: `${name}_key`, columns: keyColumns },
    refresh: { strategy: 'concurrent', interval: '1 hour', seconds: 3600, cron: '0 * * * *', function: { schema, name: `refresh_${name}` } },
  };
}

/** A DesiredState whose only entity `E` owns every object given (outputs by name). */
export function state(objects: DbObject[], entity = 'E', extra: Partial<EntityOutputs> = {}): DesiredState {
  const t = objects.find((o): o is TableObject => o.kind === 'table');
  const names = (kind: DbObject['kind']): string[] =>
    objects.filter((o) => o.kind === kind).map((o) => ('schema' in o ? `${o.schema}.${o.name}` : o.name));
  const outputs: EntityOutputs = {
    entity,
    schema: t?.schema ?? 'public',
    table: t?.name ?? '',
    partitions: names('partition'),
    defaultPartition: null,
    indexes: names('index'),
    functions: names('function'),
    triggers: objects.filter((o): o is TriggerObject => o.kind === 'trigger').map((o) => o.name),
    queue: null,
    materializedViews: names('materialized_view'),
    partitionWindow: null,
    queueSchedules: [],
    refreshSchedules: [],
    maintenanceSchedule: null,
    ...extra,
  };
  return { objects: [{ kind: 'schema', name: t?.schema ?? 'public' }, ...objects], entities: [outputs] };
}
