/** Extensions (btree_gist, btree_gin): created when an index needs them, never dropped (shared).
 *  The schema is always named: the apply session's search_path is pinned to pg_catalog, and an
 *  extension must never land wherever a session's search_path happens to point. */
import { quoteIdent } from '../model/ident';
import type { ExtensionObject } from '../model/objects';
import { objectKey } from '../model/objects';
import type { PlanStep } from '../model/step';
import { step } from './step';

export function createExtension(extension: ExtensionObject): PlanStep {
  return step({
    sql: `CREATE EXTENSION ${quoteIdent(extension.name)} SCHEMA ${quoteIdent(extension.schema)};`,
    object: objectKey(extension),
    action: 'create',
    description: `create extension ${extension.name}: ${extension.reason}`,
  });
}
