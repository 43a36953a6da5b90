/**
 * Who owns what. Desired objects get their entity from the generator's
 * EntityOutputs (names per entity) and table membership; live objects from
 * their `specql:entity=` marker (catalog/markers.ts), or their table's marker
 * for indexes/triggers/partitions made inside an owned table. Schemas and
 * extensions are shared (no entity) and never dropped.
 */
import type { LiveCatalog } from '../catalog/types';
import type { DbObject, DesiredState, QualifiedName } from '../model/objects';
import { objectKey } from '../model/objects';
import { drainJobName, maintainJobName, refreshJobName } from '../desired/naming';

const tableKey = (t: QualifiedName): string => `table:${t.schema}.${t.name}`;

/** `analytics.f(jsonb)` / `analytics.f` / `f` → `f` (and the qualified form). */
function nameForms(name: string): string[] {
  const bare = name.replace(/\(.*\)$/, '');
  const last = bare.split('.').pop() ?? bare;
  return [...new Set([name, bare, last])];
}

export function desiredOwnership(desired: DesiredState): (object: DbObject) => string | null {
  const byName = new Map<string, string>();
  for (const e of desired.entities) {
    const names = [
      e.table,
      `${e.schema}.${e.table}`,
      ...e.partitions,
      ...(e.defaultPartition ? [e.defaultPartition] : []),
      ...e.indexes,
      ...e.functions,
      ...e.triggers,
      ...(e.queue ? [e.queue] : []),
      ...e.materializedViews,
      ...(e.queueSchedules ?? []).map((q) => q.jobName),
      ...e.refreshSchedules.map((r) => r.jobName),
      ...(e.maintenanceSchedule ? [e.maintenanceSchedule.jobName] : []),
    ];
    for (const n of names) for (const form of nameForms(n)) if (!byName.has(form)) byName.set(form, e.entity);
    for (const n of names) byName.set(n, e.entity);
  }
  const tables = new Map<string, string | null>();
  for (const o of desired.objects) if (o.kind === 'table') tables.set(objectKey(o), o.entity ?? lookup(`${o.schema}.${o.name}`, o.name));
  function lookup(qualified: string, bare: string): string | null {
    return byName.get(qualified) ?? byName.get(bare) ?? null;
  }
  return (object) => {
    switch (object.kind) {
      case 'schema':
      case 'extension':
        return null;
      case 'table':
        return tables.get(objectKey(object)) ?? null;
      case 'partition':
        return tables.get(tableKey(object.parent)) ?? lookup(`${object.schema}.${object.name}`, object.name);
      case 'index':
        return tables.get(tableKey(object.table)) ?? lookup(`${object.schema}.${object.name}`, object.name);
      case 'trigger':
        return tables.get(tableKey(object.table)) ?? lookup(object.name, object.name);
      case 'function':
      case 'materialized_view':
        return lookup(`${object.schema}.${object.name}`, object.name);
      case 'cron_job':
        return lookup(object.name, object.name);
    }
  };
}

export function liveOwnership(live: LiveCatalog): (object: DbObject) => string | null {
  const marker = (key: string): string | null => live.markers.get(key)?.entity ?? null;
  // pg_cron jobs carry no comment: a job belongs to the entity of the view it refreshes or
  // the partitioned table it maintains (by the job names the generator gives them).
  const jobOwners = new Map<string, string>();
  for (const o of live.objects) {
    const job =
      o.kind === 'materialized_view' ? refreshJobName(o.schema, o.name)
      : o.kind === 'table' && o.partitionBy ? maintainJobName(o.schema, o.name)
      : o.kind === 'table' && o.role === 'queue' ? drainJobName(o.schema, o.name)
      : null;
    const entity = job === null ? null : marker(objectKey(o));
    if (job !== null && entity !== null && !jobOwners.has(job)) jobOwners.set(job, entity);
  }
  return (object) => {
    const own = marker(objectKey(object));
    if (own) return own;
    switch (object.kind) {
      case 'partition':
        return marker(tableKey(object.parent));
      case 'index':
        return marker(tableKey(object.table)) ?? marker(`materialized_view:${object.table.schema}.${object.table.name}`);
      case 'trigger':
        return marker(tableKey(object.table));
      case 'cron_job':
        return jobOwners.get(object.name) ?? null;
      default:
        return null;
    }
  };
}
