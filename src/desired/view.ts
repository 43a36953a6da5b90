/**
 * Materialized view objects: the view itself (query formatted for humans),
 * its unique key index, the refresh function and the optional pg_cron job.
 */
import type { EntitySpec, MaterializedViewSpec } from '../spec/model';
import type { CronJobObject, FunctionObject, MaterializedViewObject, QualifiedName, RefreshSchedule } from '../model/objects';
import type { SqlExpression } from '../model/expression';
import { fitIdentifier, qualify, quoteIdent } from '../model/ident';
import { refreshFunctionName, refreshJobName, viewKeyIndexName } from './naming';
import { cronForSeconds, refreshSchedule as parseRefreshInterval } from '../spec/refresh';

/** The column expression is the bare column itself (as the deparser spells it, or quoted). */
const isColumn = (expression: SqlExpression, name: string): boolean => expression === name || expression === quoteIdent(name);

/**
 * `SELECT <columns> FROM <schema>.<table> [WHERE filter]`, one column per line,
 * `expression AS name` only for derived columns. Only quoted names and
 * deparsed, checked expressions go in (SqlExpression).
 */
export function viewQuery(view: MaterializedViewSpec, table: QualifiedName): string {
  const columns = view.columns.map((column) =>
    isColumn(column.expression, column.name) ? quoteIdent(column.name) : `${column.expression} AS ${quoteIdent(column.name)}`,
  );
  const lines = ['SELECT', columns.map((c) => `    ${c}`).join(',\n'), `FROM ${qualify(table.schema, table.name)}`];
  if (view.filter !== null) lines.push(`WHERE ${view.filter}`);
  return lines.join('\n');
}

/** The refresh interval after per-environment overrides, with its seconds and cron form. */
export function effectiveRefresh(
  view: MaterializedViewSpec,
  overrides: Readonly<Record<string, string>> | undefined,
): { interval: string; seconds: number; cron: string } {
  const override = overrides?.[view.name];
  const interval = override ?? view.refreshInterval;
  // Overrides are parsed by the same rules as the spec's refresh_interval.
  const seconds = override === undefined ? view.refreshSeconds : (parseRefreshInterval(override)?.seconds ?? null);
  if (seconds === null) {
    throw new Error(
      `refresh interval override "${override}" for ${view.name} has no exact cron form: use N minutes dividing 60, N hours dividing 24, 1 day or 1 week`,
    );
  }
  const cron = cronForSeconds(seconds);
  if (cron === null) {
    throw new Error(
      `refresh interval "${interval}" of ${view.name} has no exact cron form: use N minutes dividing 60, N hours dividing 24, 1 day or 1 week`,
    );
  }
  return { interval, seconds, cron };
}

export function materializedViewObject(
  entity: EntitySpec,
  view: MaterializedViewSpec,
  table: QualifiedName,
  overrides: Readonly<Record<string, string>> | undefined,
): MaterializedViewObject {
  const name = fitIdentifier(view.name);
  return {
    kind: 'materialized_view',
    schema: entity.schema,
    name,
    query: viewQuery(view, table),
    uniqueIndex: { name: viewKeyIndexName(name), columns: [...view.uniqueKey] },
    refresh: {
      strategy: view.refreshStrategy,
      ...effectiveRefresh(view, overrides),
      function: refreshFunctionName(entity.schema, name),
    },
  };
}

/**
 * `<schema>.refresh_<mv>()`. REFRESH … CONCURRENTLY is allowed inside a
 * function (verified on PG 15; unlike CREATE INDEX CONCURRENTLY), so pg_cron
 * or an external scheduler calls this one function with no other privilege.
 */
export function refreshFunction(view: MaterializedViewObject): FunctionObject {
  const concurrently = view.refresh.strategy === 'concurrent' ? ' CONCURRENTLY' : '';
  return {
    kind: 'function',
    schema: view.refresh.function.schema,
    name: view.refresh.function.name,
    args: [],
    returns: 'void',
    language: 'plpgsql',
    body: ['BEGIN', `  REFRESH MATERIALIZED VIEW${concurrently} ${qualify(view.schema, view.name)};`, 'END;'].join('\n'),
    volatility: 'volatile',
    securityDefiner: true,
    searchPath: 'pg_catalog, pg_temp',
    revokePublic: true,
    purpose: 'materialized view refresh',
  };
}

/** The SQL a scheduler runs to refresh the view. */
export const refreshCommand = (view: MaterializedViewObject): string =>
  `SELECT ${qualify(view.refresh.function.schema, view.refresh.function.name)}();`;

export function refreshCronJob(view: MaterializedViewObject): CronJobObject {
  return {
    kind: 'cron_job',
    name: refreshJobName(view.schema, view.name),
    schedule: view.refresh.cron,
    command: refreshCommand(view),
  };
}

export function refreshSchedule(view: MaterializedViewObject, pgCron: boolean): RefreshSchedule {
  return {
    view: view.name,
    interval: view.refresh.interval,
    cron: view.refresh.cron,
    strategy: view.refresh.strategy,
    runner: pgCron ? 'pg_cron' : 'worker',
    jobName: refreshJobName(view.schema, view.name),
    command: refreshCommand(view),
  };
}
