import type { SchemaObject } from '../model/objects';
import { objectKey } from '../model/objects';
import type { PlanStep } from '../model/step';
import { quoteIdent } from '../model/ident';
import { step } from './step';

export function createSchemaSteps(schema: SchemaObject): PlanStep[] {
  return [
    step({
      sql: `CREATE SCHEMA ${quoteIdent(schema.name)};`,
      object: objectKey(schema),
      description: `create schema ${schema.name}`,
      lock: 'none',
    }),
  ];
}

/** RESTRICT (the default): refuses while anything still lives in the schema, so it cannot drop data. */
export function dropSchemaSteps(schema: SchemaObject): PlanStep[] {
  return [
    step({
      sql: `DROP SCHEMA ${quoteIdent(schema.name)};`,
      object: objectKey(schema),
      description: `drop schema ${schema.name} (only if empty)`,
      lock: 'none',
    }),
  ];
}
