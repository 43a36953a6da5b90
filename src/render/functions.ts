/**
 * Functions: CREATE OR REPLACE with the security rules baked in (SECURITY
 * DEFINER always pins search_path; EXECUTE is revoked from PUBLIC right after,
 * in the same transaction), grants, drops. Functions are not relations: no
 * table lock is taken, but callers of a dropped function fail until it is back,
 * which is why the planner replaces in place whenever PostgreSQL allows it.
 */
import { qualify, quoteIdent } from '../model/ident';
import type { FunctionObject } from '../model/objects';
import { objectKey } from '../model/objects';
import type { Hazard, PlanStep } from '../model/step';
import { step } from './step';

/** `analytics.f(jsonb)` — the signature form used by ALTER/DROP/REVOKE/COMMENT. */
export function functionSignature(fn: Pick<FunctionObject, 'schema' | 'name' | 'args'>): string {
  return `${qualify(fn.schema, fn.name)}(${fn.args.map((a) => a.type).join(', ')})`;
}

/** Dollar-quote tag that cannot clash with the body. */
function dollarTag(body: string): string {
  let tag = '$fn$';
  for (let i = 1; body.includes(tag); i++) tag = `$fn${i}$`;
  return tag;
}

export function createFunctionSql(fn: FunctionObject): string {
  if (fn.securityDefiner && !fn.searchPath) {
    throw new Error(`SECURITY DEFINER function ${fn.schema}.${fn.name} must pin search_path`);
  }
  const args = fn.args.map((a) => `${quoteIdent(a.name)} ${a.type}${a.default !== undefined ? ` DEFAULT ${a.default}` : ''}`).join(', ');
  const tag = dollarTag(fn.body);
  const options = [
    `LANGUAGE ${fn.language}`,
    fn.volatility.toUpperCase(),
    fn.securityDefiner ? 'SECURITY DEFINER' : 'SECURITY INVOKER',
    ...(fn.searchPath ? [`SET search_path = ${fn.searchPath}`] : []),
  ];
  return [
    `CREATE OR REPLACE FUNCTION ${qualify(fn.schema, fn.name)}(${args})`,
    `RETURNS ${fn.returns}`,
    ...options,
    `AS ${tag}`,
    fn.body.replace(/^\n+|\n+$/g, ''),
    `${tag};`,
  ].join('\n');
}

const what = (fn: FunctionObject): string => `${fn.purpose}${fn.securityDefiner ? ', security definer' : ''}`;

/**
 * CREATE OR REPLACE FUNCTION, then REVOKE EXECUTE FROM PUBLIC, in one group:
 * PUBLIC can never call a SECURITY DEFINER function in between.
 * `change`: why it is replaced (null for a new function).
 */
export function createFunction(fn: FunctionObject, change: string | null = null, group?: string): PlanStep[] {
  const signature = functionSignature(fn);
  const g = group ?? `${objectKey(fn)}:create`;
  const steps = [
    step({
      sql: createFunctionSql(fn),
      object: objectKey(fn),
      action: change === null ? 'create' : 'replace',
      description: change === null ? `create function ${signature} (${what(fn)})` : `replace function ${signature} in place (${change} changed)`,
      group: g,
    }),
  ];
  if (fn.revokePublic) steps.push(revokeFromPublic(fn, g));
  return steps;
}

export function revokeFromPublic(fn: FunctionObject, group?: string): PlanStep {
  return step({
    sql: `REVOKE EXECUTE ON FUNCTION ${functionSignature(fn)} FROM PUBLIC;`,
    object: objectKey(fn),
    action: 'revoke',
    description: `revoke EXECUTE on ${functionSignature(fn)} from PUBLIC`,
    ...(group ? { group } : {}),
  });
}

export function grantToPublic(fn: FunctionObject, group?: string): PlanStep {
  return step({
    sql: `GRANT EXECUTE ON FUNCTION ${functionSignature(fn)} TO PUBLIC;`,
    object: objectKey(fn),
    action: 'grant',
    description: `grant EXECUTE on ${functionSignature(fn)} to PUBLIC`,
    ...(group ? { group } : {}),
  });
}

export function dropFunction(fn: FunctionObject, why: string, hazards: readonly Hazard[] = [], group?: string): PlanStep {
  return step({
    sql: `DROP FUNCTION IF EXISTS ${functionSignature(fn)};`,
    object: objectKey(fn),
    action: 'drop',
    description: `drop function ${functionSignature(fn)} (${why})`,
    hazards,
    ...(group ? { group } : {}),
  });
}
