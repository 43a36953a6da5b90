/** CREATE OR REPLACE FUNCTION for generated functions, with the security rules baked in:
 *  SECURITY DEFINER always pins search_path, and EXECUTE is revoked from PUBLIC. */
import type { FunctionObject } from '../model/objects';
import { qualify, quoteIdent } from '../model/ident';

/** `analytics.f(jsonb)` — the signature form used by ALTER/DROP/REVOKE. */
export function functionSignature(fn: FunctionObject): string {
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
  const args = fn.args
    .map((a) => `${quoteIdent(a.name)} ${a.type}${a.default !== undefined ? ` DEFAULT ${a.default}` : ''}`)
    .join(', ');
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

export function revokePublicSql(fn: FunctionObject): string {
  return `REVOKE EXECUTE ON FUNCTION ${functionSignature(fn)} FROM PUBLIC;`;
}

export function dropFunctionSql(fn: FunctionObject): string {
  return `DROP FUNCTION IF EXISTS ${functionSignature(fn)};`;
}
