import type { ExtensionObject } from '../model/objects';
import { objectKey } from '../model/objects';
import type { PlanStep } from '../model/step';
import { quoteIdent } from '../model/ident';
import { step } from './step';

export function createExtensionSteps(extension: ExtensionObject): PlanStep[] {
  return [
    step({
      sql: `CREATE EXTENSION ${quoteIdent(extension.name)};`,
      object: objectKey(extension),
      description: `create extension ${extension.name}: ${extension.reason}`,
      lock: 'none',
    }),
  ];
}

/** RESTRICT: refuses while an index still uses one of its operator classes. */
export function dropExtensionSteps(extension: ExtensionObject): PlanStep[] {
  return [
    step({
      sql: `DROP EXTENSION ${quoteIdent(extension.name)};`,
      object: objectKey(extension),
      description: `drop extension ${extension.name} (only if unused)`,
      lock: 'none',
    }),
  ];
}
