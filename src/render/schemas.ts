/** Schemas: created when missing, never dropped by specql (they are shared). */
import { quoteIdent } from '../model/ident';
import type { SchemaObject } from '../model/objects';
import { objectKey } from '../model/objects';
import type { PlanStep } from '../model/step';
import { step } from './step';

export function createSchema(schema: SchemaObject): PlanStep {
  return step({ sql: `CREATE SCHEMA ${quoteIdent(schema.name)};`, object: objectKey(schema), action: 'create', description: `create schema ${schema.name}` });
}

/** For a schema a step needs whether or not the plan created it (the archive schema). */
export function ensureSchema(name: string): PlanStep {
  return step({ sql: `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(name)};`, object: `schema:${name}`, action: 'create', description: `ensure schema ${name}` });
}
