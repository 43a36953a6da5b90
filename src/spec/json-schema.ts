/**
 * The JSON Schema of a spec document, generated from the zod schema so the
 * two cannot drift. Committed as docs/specql.schema.json (a test checks it is
 * current); editors use it through the YAML language server:
 *   # yaml-language-server: $schema=../docs/specql.schema.json
 */
import { z } from 'zod';
import { EntitySchema } from './schema';

export function specJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(EntitySchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
  return { ...generated, title: 'SpecQL entity' };
}

/** The exact text of docs/specql.schema.json. */
export function specJsonSchemaText(): string {
  return `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
}
