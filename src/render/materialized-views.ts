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
import type { MaterializedViewObject, QualifiedName } from '../model/objects';
import { objectKey } from '../model/objects';
import { INDEX_BUILD_STATEMENT_TIMEOUT_MS, type PlanStep } from '../model/step';
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

/** Builds the new definition beside the live view and swaps it in (see the module comment). */
export function rebuildMaterializedView(view: MaterializedViewObject, changed: readonly string[], marker: string | null): PlanStep[] {
  const key = objectKey(view);
  const tmp: QualifiedName = { schema: view.schema, name: temporaryViewName(view) };
  const tmpIndex = fitIdentifier(`${view.uniqueIndex.name}_specql_new`);
  const old: QualifiedName = { schema: view.schema, name: fitIdentifier(`${view.name}_old`) };
  const build = `${key}:build`;
  const swap = `${key}:swap`;
  const common = { object: key };
  return [
    step({ ...common, group: build, action: 'drop', sql: `DROP MATERIALIZED VIEW IF EXISTS ${qualify(tmp.schema, tmp.name)};`, description: `drop leftover ${tmp.name} of an interrupted rebuild, if any` }),
    step({
      ...common,
      group: build,
      action: 'create',
      sql: createMaterializedViewSql(view, tmp),
      description: `build the new ${view.name} beside the old one as ${tmp.name} (${changed.join(', ')} changed)`,
      statementTimeoutMs: INDEX_BUILD_STATEMENT_TIMEOUT_MS,
      hazards: [hazard('view_rebuild', `${relationName(view)} is rebuilt; readers keep the old one until the swap`)],
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
      sql: `ALTER MATERIALIZED VIEW ${qualify(view.schema, view.name)} RENAME TO ${quoteIdent(old.name)};`,
      description: `swap: ${view.name} → ${old.name}`,
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
    step({ ...common, group: swap, action: 'drop', sql: `DROP MATERIALIZED VIEW ${qualify(old.schema, old.name)};`, description: `drop the old ${view.name}` }),
    step({
      ...common,
      group: swap,
      action: 'rename',
      sql: `ALTER INDEX ${qualify(view.schema, tmpIndex)} RENAME TO ${quoteIdent(view.uniqueIndex.name)};`,
      description: `rename ${tmpIndex} → ${view.uniqueIndex.name}`,
      locks: [lockOn({ schema: view.schema, name: tmpIndex }, 'SHARE UPDATE EXCLUSIVE')],
    }),
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
