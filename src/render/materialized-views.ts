/**
 * Materialized views are created WITH DATA plus the unique index on plain
 * key columns (no WHERE, no expressions): REFRESH … CONCURRENTLY needs both.
 */
import type { MaterializedViewObject } from '../model/objects';
import { objectKey } from '../model/objects';
import { INDEX_BUILD_STATEMENT_TIMEOUT_MS, type PlanStep } from '../model/step';
import { qualify, quoteIdent } from '../model/ident';
import { hazard, step } from './step';

export function createMaterializedViewSql(view: MaterializedViewObject): string {
  return `CREATE MATERIALIZED VIEW ${qualify(view.schema, view.name)} AS\n${view.query}\nWITH DATA;`;
}

export function createViewKeyIndexSql(view: MaterializedViewObject): string {
  const columns = view.uniqueIndex.columns.map(quoteIdent).join(', ');
  return `CREATE UNIQUE INDEX ${quoteIdent(view.uniqueIndex.name)}\n    ON ${qualify(view.schema, view.name)} (${columns});`;
}

export function createMaterializedViewSteps(view: MaterializedViewObject): PlanStep[] {
  const name = `${view.schema}.${view.name}`;
  return [
    step({
      sql: createMaterializedViewSql(view),
      object: objectKey(view),
      description: `create materialized view ${name} (populated now)`,
      // Reads the source table like any SELECT; writers are not blocked.
      lock: 'ACCESS SHARE',
      statementTimeoutMs: INDEX_BUILD_STATEMENT_TIMEOUT_MS,
    }),
    step({
      sql: createViewKeyIndexSql(view),
      object: objectKey(view),
      description: `create unique index ${view.schema}.${view.uniqueIndex.name} on ${name} (needed by REFRESH CONCURRENTLY)`,
      // On the new view only; nobody refreshes it yet.
      lock: 'SHARE',
      statementTimeoutMs: INDEX_BUILD_STATEMENT_TIMEOUT_MS,
      hazards: [hazard('index_build', `builds ${view.uniqueIndex.name} over the view's rows`)],
    }),
  ];
}

export function dropMaterializedViewSteps(view: MaterializedViewObject): PlanStep[] {
  const name = `${view.schema}.${view.name}`;
  return [
    step({
      sql: `DROP MATERIALIZED VIEW ${qualify(view.schema, view.name)};`,
      object: objectKey(view),
      description: `drop materialized view ${name}`,
      lock: 'ACCESS EXCLUSIVE',
      hazards: [hazard('access_exclusive_lock', `readers of ${name} wait, then fail once it is gone`)],
    }),
  ];
}
