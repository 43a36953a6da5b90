/**
 * Materialized views: created WITH DATA plus the unique index on plain key
 * columns (no WHERE, no expressions) that REFRESH … CONCURRENTLY needs; rebuilt
 * beside the old one and swapped in; refreshed; dropped.
 *
 * Rebuild: the new view is built under a temporary name WITH DATA with its
 * unique index while readers keep using the old one; then ONE transaction
 * renames old → <name>_old, new → <name>, drops the old view and renames the
 * index. A reader resolves the name either before the swap (old view) or after
 * it (new view): it never sees an empty or missing view.
 */
import { fitIdentifier, qualify, quoteIdent, quoteLiteral } from '../model/ident';
import type { Grant, MaterializedViewObject, QualifiedName } from '../model/objects';
import { objectKey } from '../model/objects';
import { INDEX_BUILD_STATEMENT_TIMEOUT_MS, type PlanStep } from '../model/step';
import { regrant } from './grants';
import { hazard, lockOn, relationName, step } from './step';

export function createMaterializedViewSql(view: Pick<MaterializedViewObject, 'query'>, name: QualifiedName): string {
  return `CREATE MATERIALIZED VIEW ${qualify(name.schema, name.name)} AS\n${view.query.trim().replace(/;$/, '')}\nWITH DATA;`;
}

export function createViewKeyIndexSql(view: MaterializedViewObject, index: string, on: QualifiedName): string {
  return `CREATE UNIQUE INDEX ${quoteIdent(index)}\n    ON ${qualify(on.schema, on.name)} (${view.uniqueIndex.columns.map(quoteIdent).join(', ')});`;
}

/** The view and its key index, one transaction: the view is invisible to others until both exist. */
export function createMaterializedView(view: MaterializedViewObject): PlanStep[] {
  const group = `${objectKey(view)}:create`;
  return [
    step({
      sql: createMaterializedViewSql(view, view),
      object: objectKey(view),
      action: 'create',
      description: `create materialized view ${relationName(view)} (populated now; reads its source like any SELECT)`,
      statementTimeoutMs: INDEX_BUILD_STATEMENT_TIMEOUT_MS,
      group,
    }),
    step({
      sql: createViewKeyIndexSql(view, view.uniqueIndex.name, view),
      object: objectKey(view),
      action: 'create',
      description: `create unique index ${view.schema}.${view.uniqueIndex.name} on ${relationName(view)} (needed by REFRESH CONCURRENTLY)`,
      statementTimeoutMs: INDEX_BUILD_STATEMENT_TIMEOUT_MS,
      hazards: [hazard('index_build', `builds ${view.uniqueIndex.name} over the view's rows`)],
      group,
    }),
  ];
}

export const temporaryViewName = (view: QualifiedName): string => fitIdentifier(`${view.name}_specql_new`);

/** What a rebuild starts from, and what it carries over. */
export interface RebuildFacts {
  /** `view`: the live materialized view; `snapshot`: the plain-table copy left by snapshotMaterializedView. */
  readonly from: 'view' | 'snapshot';
  /** Privileges granted on the live view (or its snapshot): granted again on the new view in the swap. */
  readonly grants: readonly Grant[];
}

/** Builds the new definition beside the live view and swaps it in (see the module comment). */
export function rebuildMaterializedView(view: MaterializedViewObject, changed: readonly string[], marker: string | null, facts: RebuildFacts = { from: 'view', grants: [] }): PlanStep[] {
  const key = objectKey(view);
  const tmp: QualifiedName = { schema: view.schema, name: temporaryViewName(view) };
  const tmpIndex = fitIdentifier(`${view.uniqueIndex.name}_specql_new`);
  const old: QualifiedName = { schema: view.schema, name: fitIdentifier(`${view.name}_old`) };
  const build = `${key}:build`;
  const swap = `${key}:swap`;
  const common = { object: key };
  const oldKind = facts.from === 'snapshot' ? 'TABLE' : 'MATERIALIZED VIEW';
  return [
    step({ ...common, group: build, action: 'drop', sql: `DROP MATERIALIZED VIEW IF EXISTS ${qualify(tmp.schema, tmp.name)};`, description: `drop leftover ${tmp.name} of an interrupted rebuild, if any` }),
    step({
      ...common,
      group: build,
      action: 'create',
      sql: createMaterializedViewSql(view, tmp),
      description: `build the new ${view.name} beside the old one as ${tmp.name} (${changed.join(', ')} changed)`,
      statementTimeoutMs: INDEX_BUILD_STATEMENT_TIMEOUT_MS,
      hazards: [hazard('view_rebuild', `${relationName(view)} is rebuilt; readers keep the old one${facts.from === 'snapshot' ? ' (a snapshot copy)' : ''} until the swap`)],
    }),
    step({
      ...common,
      group: build,
      action: 'create',
      sql: createViewKeyIndexSql(view, tmpIndex, tmp),
      description: `unique index for concurrent refreshes of the new ${view.name}`,
      statementTimeoutMs: INDEX_BUILD_STATEMENT_TIMEOUT_MS,
    }),
    step({
      ...common,
      group: swap,
      action: 'rename',
      sql: `ALTER ${oldKind} ${qualify(view.schema, view.name)} RENAME TO ${quoteIdent(old.name)};`,
      description: `swap: ${view.name}${facts.from === 'snapshot' ? ' (snapshot)' : ''} → ${old.name}`,
      locks: [lockOn(view, 'ACCESS EXCLUSIVE')],
      hazards: [hazard('access_exclusive_lock', `the swap briefly locks ${relationName(view)} (waits for running readers, bounded by lock_timeout)`)],
    }),
    step({
      ...common,
      group: swap,
      action: 'rename',
      sql: `ALTER MATERIALIZED VIEW ${qualify(tmp.schema, tmp.name)} RENAME TO ${quoteIdent(view.name)};`,
      description: `swap: ${tmp.name} → ${view.name}`,
      locks: [lockOn(tmp, 'ACCESS EXCLUSIVE')],
    }),
    // Its ACCESS EXCLUSIVE lock was taken by the first rename of this transaction.
    step({ ...common, group: swap, action: 'drop', sql: `DROP ${oldKind} ${qualify(old.schema, old.name)};`, description: `drop the old ${view.name}` }),
    step({
      ...common,
      group: swap,
      action: 'rename',
      sql: `ALTER INDEX ${qualify(view.schema, tmpIndex)} RENAME TO ${quoteIdent(view.uniqueIndex.name)};`,
      description: `rename ${tmpIndex} → ${view.uniqueIndex.name}`,
      locks: [lockOn({ schema: view.schema, name: tmpIndex }, 'SHARE UPDATE EXCLUSIVE')],
    }),
    ...regrant({ kind: 'relation', relation: view }, facts.grants, key, swap, 'carried across the rebuild'),
    ...(marker === null
      ? []
      : [
          step({
            ...common,
            group: swap,
            action: 'comment',
            sql: `COMMENT ON MATERIALIZED VIEW ${qualify(view.schema, view.name)} IS ${quoteLiteral(marker)};`,
            description: `mark ${key} as managed by specql`,
            locks: [lockOn(view, 'SHARE UPDATE EXCLUSIVE')],
          }),
        ]),
  ];
}

export const snapshotTableName = (view: QualifiedName): string => fitIdentifier(`${view.name}_specql_snapshot`);

/**
 * PostgreSQL refuses to change the type of (or drop) a column a materialized
 * view reads while the view exists, and the new view can only be built after
 * the change. So that readers are served throughout, the view is first
 * replaced by a plain-table copy of its rows under its own name (the copy reads
 * the view, not the table, so it does not depend on the column): one
 * transaction builds the copy with the view's grants and a `snapshot=1`
 * marker, a second short one swaps it in by renames (ACCESS EXCLUSIVE on the
 * view for the renames only) and drops the old view. The column then changes,
 * and rebuildMaterializedView (from: 'snapshot') builds the new view and swaps
 * it in. Until then readers see the rows as of the copy; refreshes of the view
 * fail (it is a table meanwhile) and succeed again after the swap.
 */
export function snapshotMaterializedView(view: QualifiedName, why: string, marker: string, grants: readonly Grant[]): PlanStep[] {
  const key = `materialized_view:${view.schema}.${view.name}`;
  const snap: QualifiedName = { schema: view.schema, name: snapshotTableName(view) };
  const old: QualifiedName = { schema: view.schema, name: fitIdentifier(`${view.name}_old`) };
  const copy = `${key}:snapshot`;
  const swap = `${key}:snapshot-swap`;
  return [
    step({ object: key, group: copy, action: 'drop', sql: `DROP TABLE IF EXISTS ${qualify(snap.schema, snap.name)};`, description: `drop leftover ${snap.name} of an interrupted change, if any` }),
    step({
      object: key,
      group: copy,
      action: 'create',
      sql: `CREATE TABLE ${qualify(snap.schema, snap.name)} AS TABLE ${qualify(view.schema, view.name)};`,
      description: `copy the rows of ${relationName(view)} into ${snap.name} (serves its readers while ${why})`,
      statementTimeoutMs: INDEX_BUILD_STATEMENT_TIMEOUT_MS,
      hazards: [hazard('view_rebuild', `${relationName(view)} reads a column that changes (${why}): readers get a copy of its rows until the view is rebuilt after the change; refreshes fail meanwhile`)],
    }),
    ...regrant({ kind: 'relation', relation: snap }, grants, key, copy, `the readers of ${view.name}`),
    step({
      object: key,
      group: copy,
      action: 'comment',
      sql: `COMMENT ON TABLE ${qualify(snap.schema, snap.name)} IS ${quoteLiteral(marker)};`,
      description: `mark ${snap.name} as a snapshot of ${view.name} made by specql`,
    }),
    step({
      object: key,
      group: swap,
      action: 'rename',
      sql: `ALTER MATERIALIZED VIEW ${qualify(view.schema, view.name)} RENAME TO ${quoteIdent(old.name)};`,
      description: `swap: ${view.name} → ${old.name}`,
      locks: [lockOn(view, 'ACCESS EXCLUSIVE')],
      hazards: [hazard('access_exclusive_lock', `the swap briefly locks ${relationName(view)} (waits for running readers, bounded by lock_timeout)`)],
    }),
    step({
      object: key,
      group: swap,
      action: 'rename',
      sql: `ALTER TABLE ${qualify(snap.schema, snap.name)} RENAME TO ${quoteIdent(view.name)};`,
      description: `swap: ${snap.name} → ${view.name} (readers now read the copy)`,
      locks: [lockOn(snap, 'ACCESS EXCLUSIVE')],
    }),
    step({ object: key, group: swap, action: 'drop', sql: `DROP MATERIALIZED VIEW ${qualify(old.schema, old.name)};`, description: `drop the old ${view.name} (it blocks the column change)` }),
  ];
}

/** A snapshot table left by an interrupted change whose swap never happened. */
export function dropLeftoverSnapshot(table: QualifiedName): PlanStep {
  return step({
    object: `table:${table.schema}.${table.name}`,
    action: 'drop',
    sql: `DROP TABLE IF EXISTS ${qualify(table.schema, table.name)};`,
    description: `drop ${relationName(table)}, a view snapshot left by an interrupted change`,
    locks: [lockOn(table, 'ACCESS EXCLUSIVE')],
  });
}

/** REFRESH CONCURRENTLY takes EXCLUSIVE on the view (readers continue); a blocking refresh ACCESS EXCLUSIVE. */
export function refreshMaterializedView(view: MaterializedViewObject): PlanStep {
  const concurrent = view.refresh.strategy === 'concurrent';
  return step({
    sql: `REFRESH MATERIALIZED VIEW ${concurrent ? 'CONCURRENTLY ' : ''}${qualify(view.schema, view.name)};`,
    object: objectKey(view),
    action: 'refresh',
    description: `refresh materialized view ${relationName(view)}${concurrent ? ' (concurrently: readers unaffected)' : ' (blocks readers while it runs)'}`,
    locks: [lockOn(view, concurrent ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE')],
    statementTimeoutMs: 60 * 60 * 1000,
    group: `${objectKey(view)}:refresh`,
  });
}

export function dropMaterializedView(view: QualifiedName, why: string): PlanStep {
  return step({
    sql: `DROP MATERIALIZED VIEW ${qualify(view.schema, view.name)};`,
    object: `materialized_view:${view.schema}.${view.name}`,
    action: 'drop',
    description: `drop materialized view ${relationName(view)} (${why}; its rows are derived)`,
    locks: [lockOn(view, 'ACCESS EXCLUSIVE')],
    hazards: [hazard('access_exclusive_lock', `readers of ${relationName(view)} wait, then fail once it is gone`)],
  });
}
