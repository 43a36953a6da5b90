/**
 * zod's structural issues → our diagnostics, positioned on the YAML node the
 * issue's path names (the key for unknown keys, the value otherwise).
 */
import type { z } from 'zod';
import type { Diagnostic } from '../diagnostics/diagnostic';
import { RANGES, rangeText, type NumericRange } from './limits';
import { messages } from './messages';
import { EntitySchema } from './schema';
import { nearest } from './suggest';
import { positionOf, type PathSegment, type SpecDocument } from './yaml-source';

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

/** `actions[1].performance_hints[0]` */
export function pathText(path: readonly PathSegment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

const describeValue = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a map' : `${typeof value} \`${String(value)}\``;

/** The object schemas that could apply at `path` (unions narrowed by the data's `pattern`). */
function objectSchemasAt(schema: AnySchema, path: readonly PathSegment[], data: unknown): AnySchema[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  const type = def.type as string;
  if (type === 'optional' || type === 'nullable' || type === 'default') return objectSchemasAt(def.innerType as AnySchema, path, data);
  if (type === 'union') {
    let options = def.options as AnySchema[];
    const pattern = data && typeof data === 'object' ? (data as Record<string, unknown>).pattern : undefined;
    if (typeof def.discriminator === 'string' && pattern !== undefined) {
      const matching = options.filter((o) => {
        const shape = (o as unknown as { _zod: { def: { shape?: Record<string, AnySchema> } } })._zod.def.shape;
        const literal = shape?.pattern as { _zod: { def: { values?: unknown[] } } } | undefined;
        return literal?._zod.def.values?.includes(pattern);
      });
      if (matching.length) options = matching;
    }
    return options.flatMap((o) => objectSchemasAt(o, path, data));
  }
  if (path.length === 0) return type === 'object' ? [schema] : [];
  const [head, ...rest] = path;
  const next = valueAt(data, [head]);
  if (type === 'object') {
    const child = (def.shape as Record<string, AnySchema>)[String(head)];
    return child ? objectSchemasAt(child, rest, next) : [];
  }
  if (type === 'array') return objectSchemasAt(def.element as AnySchema, rest, next);
  if (type === 'record') return objectSchemasAt(def.valueType as AnySchema, rest, next);
  return [];
}

export function allowedKeysAt(path: readonly PathSegment[], data: unknown): string[] {
  const keys = objectSchemasAt(EntitySchema, path, data).flatMap((s) => Object.keys((s as unknown as { _zod: { def: { shape: object } } })._zod.def.shape));
  return [...new Set(keys)];
}

/** The documented range of a numeric setting, by its key (`premake`, `pages_per_range`, …). */
function rangeOf(path: readonly PathSegment[]): NumericRange | null {
  const key = String(path[path.length - 1]);
  return (RANGES as Record<string, NumericRange>)[key] ?? null;
}

export function shapeDiagnostics(doc: SpecDocument, issues: readonly Issue[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const data = doc.value;
  const visit = (issue: Issue, base: readonly PathSegment[]) => {
    const path = [...base, ...(issue.path as PathSegment[])];
    const subject = pathText(path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = allowedKeysAt(path, data);
        for (const key of issue.keys) {
          out.push(messages.unknownKey(positionOf(doc, [...path, key], 'key'), key, nearest(key, allowed), allowed, pathText(path) || 'the entity'));
        }
        return;
      }
      case 'invalid_union': {
        if ((issue as { note?: string }).note === 'No matching discriminator' || issue.errors.length === 0) {
          const written = valueAt(data, path);
          const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
          if (written === undefined) out.push(messages.missingKey(positionOf(doc, path.slice(0, -1)), String(path[path.length - 1]), pathText(path.slice(0, -1))));
          else out.push(messages.invalidValue(positionOf(doc, path), subject, String(written), options, nearest(String(written), options)));
          return;
        }
        // Report the alternative that got furthest: the one whose issues are not just "wrong type here".
        const candidates = issue.errors.filter((list) => !list.every((i) => i.code === 'invalid_type' && i.path.length === 0));
        if (candidates.length === 1) {
          for (const inner of candidates[0]) visit(inner, path);
          return;
        }
        out.push(messages.invalidType(positionOf(doc, path), subject, path[0] === 'fields' ? 'a type (`name: uuid`) or a map (`name: { type: uuid, not_null: true }`)' : 'a list of one-key maps or a map', describeValue(valueAt(data, path))));
        return;
      }
      case 'invalid_type': {
        const value = valueAt(data, path);
        const range = rangeOf(path);
        if (typeof value === 'number' && range) {
          // `premake: 2.5`: zod says "expected int"; say which numbers are allowed.
          out.push(messages.outOfRange(positionOf(doc, path), subject, value, rangeText(range)));
          return;
        }
        if (value === undefined) {
          out.push(messages.missingKey(positionOf(doc, path.slice(0, -1), 'key'), String(path[path.length - 1]), pathText(path.slice(0, -1))));
        } else {
          const expected = issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a map' : `a ${issue.expected}`;
          out.push(messages.invalidType(positionOf(doc, path), subject, expected, describeValue(value)));
        }
        return;
      }
      case 'invalid_value': {
        const value = valueAt(data, path);
        const allowed = issue.values.map(String);
        if (value === undefined) out.push(messages.missingKey(positionOf(doc, path.slice(0, -1), 'key'), String(path[path.length - 1]), pathText(path.slice(0, -1))));
        else out.push(messages.invalidValue(positionOf(doc, path), subject, String(value), allowed, nearest(String(value), allowed)));
        return;
      }
      case 'too_small':
      case 'too_big': {
        const range = issue.origin === 'number' ? rangeOf(path) : null;
        const value = valueAt(data, path);
        if (range && typeof value === 'number') {
          out.push(messages.outOfRange(positionOf(doc, path), subject, value, rangeText(range)));
          return;
        }
        const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
        const side = issue.code === 'too_small' ? 'at least' : 'at most';
        const what = issue.origin === 'array' ? `${side} ${bound} item${bound === 1 ? '' : 's'}` : `${side} ${bound}`;
        out.push(messages.invalid(positionOf(doc, path), subject, issue.origin === 'array' ? `needs ${what}` : `must be ${what}`));
        return;
      }
      default:
        out.push(messages.invalid(positionOf(doc, path), subject, issue.message));
    }
  };
  for (const issue of issues) visit(issue, []);
  return out;
}
