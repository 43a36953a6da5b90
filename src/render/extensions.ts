/** Extensions (btree_gist, btree_gin): created when an index needs them, never dropped (shared). */
import { quoteIdent } from '../model/ident';
import type { ExtensionObject } from '../model/objects';
import { objectKey } from '../model/objects';
import type { PlanStep } from '../model/step';
import { step } from './step';

export function createExtension(extension: ExtensionObject): PlanStep {
  return step({
    sql: `CREATE EXTENSION ${quoteIdent(extension.name)};`,
    object: objectKey(extension),
    action: 'create',
    description: `create extension ${extension.name}: ${extension.reason}`,
  });
}
