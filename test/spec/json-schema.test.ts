/** docs/specql.schema.json is generated from the zod schema and accepts specs/; a small structural validator checks that. */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { specJsonSchema, specJsonSchemaText } from '../../src/spec/json-schema';

type Schema = Record<string, unknown>;

/** Validates the JSON Schema subset zod emits (type, properties, required, additionalProperties, items, anyOf/oneOf, const, enum, minItems). */
function problems(schema: Schema, value: unknown, path = '$'): string[] {
  const anyOf = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (anyOf) return anyOf.some((s) => problems(s, value, path).length === 0) ? [] : [`${path}: matches no alternative`];
  if ('const' in schema && value !== schema.const) return [`${path}: not ${String(schema.const)}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return [`${path}: not in enum`];
  const types = ([] as unknown[]).concat(schema.type ?? []);
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : Number.isInteger(value) ? 'integer' : typeof value;
  if (types.length && !types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return [`${path}: ${actual} is not ${types.join('|')}`];
  const out: string[] = [];
  if (actual === 'object') {
    const record = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in record)) out.push(`${path}: missing ${key}`);
    for (const [key, child] of Object.entries(record)) {
      if (properties[key]) out.push(...problems(properties[key], child, `${path}.${key}`));
      else if (schema.additionalProperties === false) out.push(`${path}: unknown key ${key}`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') out.push(...problems(schema.additionalProperties as Schema, child, `${path}.${key}`));
    }
  }
  if (actual === 'array') {
    const items = value as unknown[];
    if (typeof schema.minItems === 'number' && items.length < schema.minItems) out.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.items) items.forEach((item, i) => out.push(...problems(schema.items as Schema, item, `${path}[${i}]`)));
  }
  return out;
}

const specDocuments = (file: string): Record<string, unknown>[] =>
  parseAllDocuments(readFileSync(file, 'utf8'), { schema: 'core' })
    .map((d) => d.toJS() as Record<string, unknown>)
    .filter((v) => v !== null);

const allSpecs = [...specDocuments('specs/performance_metrics.yaml'), ...specDocuments('specs/sales_analytics.yaml')];

test('docs/specql.schema.json is the generated schema (regenerate: npm run schema)', () => {
  expect(readFileSync('docs/specql.schema.json', 'utf8')).toBe(specJsonSchemaText());
});

test('every top-level key used in specs/ is a schema property, and keys carry descriptions', () => {
  const schema = specJsonSchema();
  const properties = schema.properties as Record<string, Schema>;
  for (const document of allSpecs) for (const key of Object.keys(document)) expect(Object.keys(properties)).toContain(key);
  for (const [key, property] of Object.entries(properties)) expect([key, typeof property.description]).toEqual([key, 'string']);
  expect(schema.additionalProperties).toBe(false);
});

test('specs/ documents validate structurally against the schema; a misspelt key does not', () => {
  const schema = specJsonSchema();
  expect(allSpecs).toHaveLength(4);
  for (const document of allSpecs) expect(problems(schema, document)).toEqual([]);
  const { fields, ...rest } = allSpecs[0];
  expect(problems(schema, { ...rest, feilds: fields })).toEqual(['$: missing fields', '$: unknown key feilds']);
});
