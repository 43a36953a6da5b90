/**
 * COMMENT ON: how specql marks what it created (the ownership markers of
 * model/markers.ts). The text is always a quoted literal. COMMENT takes SHARE
 * UPDATE EXCLUSIVE on a relation (reads and writes continue); none on a function.
 */
import { qualify, quoteIdent, quoteLiteral } from '../model/ident';
import type { DbObject, QualifiedName } from '../model/objects';
import { objectKey } from '../model/objects';
import type { PlanStep, RelationLock } from '../model/step';
import { functionSignature } from './functions';
import { lockOn, step } from './step';

/** `TABLE analytics.t`, `INDEX …`, `FUNCTION analytics.f(jsonb)`, …; null for kinds that carry no comment. */
function commentTarget(object: DbObject): { sql: string; locks: RelationLock[] } | null {
  switch (object.kind) {
    case 'table':
    case 'partition':
      return { sql: `TABLE ${qualify(object.schema, object.name)}`, locks: [lockOn(object, 'SHARE UPDATE EXCLUSIVE')] };
    case 'index':
      return { sql: `INDEX ${qualify(object.schema, object.name)}`, locks: [lockOn(object, 'SHARE UPDATE EXCLUSIVE')] };
    case 'function':
      return { sql: `FUNCTION ${functionSignature(object)}`, locks: [] };
    case 'trigger':
      return { sql: `TRIGGER ${quoteIdent(object.name)} ON ${qualify(object.table.schema, object.table.name)}`, locks: [] }; // ACCESS SHARE on the table only
    case 'materialized_view':
      return { sql: `MATERIALIZED VIEW ${qualify(object.schema, object.name)}`, locks: [lockOn(object, 'SHARE UPDATE EXCLUSIVE')] };
    default:
      return null;
  }
}

export function canComment(object: DbObject): boolean {
  return commentTarget(object) !== null;
}

/** `createdWith`: relations the same transaction creates (their locks concern nobody else). */
export function commentOn(object: DbObject, text: string, description: string, options: { group?: string; createdWith?: readonly QualifiedName[] } = {}): PlanStep {
  const target = commentTarget(object);
  if (!target) throw new Error(`${objectKey(object)} cannot carry a comment`);
  const created = new Set((options.createdWith ?? []).map((r) => `${r.schema}.${r.name}`));
  return step({
    sql: `COMMENT ON ${target.sql} IS ${quoteLiteral(text)};`,
    object: objectKey(object),
    action: 'comment',
    description,
    locks: target.locks.filter((l) => !created.has(`${l.relation.schema}.${l.relation.name}`)),
    ...(options.group ? { group: options.group } : {}),
  });
}
