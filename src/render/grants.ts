/**
 * GRANT steps that carry privileges users gave across a rebuild (a view swapped
 * in, a function dropped and created again): what the catalog read from
 * relacl / proacl is granted again in the same transaction as the swap or the
 * create, so no reader or caller ever finds the privilege missing. Role names
 * come from the live catalog and are quoted as identifiers. GRANT takes no
 * relation lock of note (it updates the catalog row only).
 */
import { qualify, quoteIdent } from '../model/ident';
import type { FunctionObject, Grant, QualifiedName } from '../model/objects';
import type { PlanStep } from '../model/step';
import { functionSignature } from './functions';
import { step } from './step';

export type GrantTarget =
  | { readonly kind: 'relation'; readonly relation: QualifiedName }
  | { readonly kind: 'function'; readonly fn: Pick<FunctionObject, 'schema' | 'name' | 'args'> };

const targetSql = (target: GrantTarget): string =>
  target.kind === 'relation' ? `TABLE ${qualify(target.relation.schema, target.relation.name)}` : `FUNCTION ${functionSignature(target.fn)}`;

const grantee = (name: string): string => (name === 'PUBLIC' ? 'PUBLIC' : quoteIdent(name));
/** Role names are live data: shown plainly when they are plain identifiers, else JSON-quoted (one line). */
const shown = (name: string): string => (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name));

/** One GRANT per grantee and grant option, privileges in a fixed order (deterministic text). */
export function regrant(target: GrantTarget, grants: readonly Grant[], object: string, group: string, why: string): PlanStep[] {
  const byGrantee = new Map<string, Grant[]>();
  for (const g of grants) {
    const key = `${g.grantee}\u0000${g.grantable}`;
    byGrantee.set(key, [...(byGrantee.get(key) ?? []), g]);
  }
  return [...byGrantee.values()].map((list) => {
    const privileges = [...new Set(list.map((g) => g.privilege))].sort();
    const who = list[0]!.grantee;
    return step({
      sql: `GRANT ${privileges.join(', ')} ON ${targetSql(target)} TO ${grantee(who)}${list[0]!.grantable ? ' WITH GRANT OPTION' : ''};`,
      object,
      action: 'grant',
      description: `grant ${privileges.join(', ')} on ${target.kind === 'relation' ? `${target.relation.schema}.${target.relation.name}` : functionSignature(target.fn)} to ${shown(who)} again (${why})`,
      group,
    });
  });
}
