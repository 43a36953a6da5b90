/**
 * Synthetic rows for an entity, derived from each field's type and role in
 * the spec: what `specql load-test` loads and what `specql verify` inserts
 * (its SQL twin is src/verify/sql-rows.ts, built from the same FieldPlan).
 *
 * - key columns get unique values (random UUIDs, text, or integers past an offset);
 * - other uuid columns are foreign-key-like: drawn from a bounded set of ids
 *   (`refs` of them), so the workflow's metric rows aggregate many inserts;
 * - integers 1–100, numbers within their precision and scale (at most 1,000),
 *   text from a five-word vocabulary per field (fitted to varchar(n));
 * - dates and timestamps spread uniformly over a time window (the partition window).
 *
 * Deterministic: row i of seed s is the same on every run, whichever client
 * or batch produces it (each row has its own generator, seeded from (s, i)).
 */
import type { EntitySpec, FieldSpec } from '../spec/model';

export type FieldPlan =
  | { readonly kind: 'uuid_unique' }
  | { readonly kind: 'uuid_ref'; readonly prefix: string; readonly refs: number }
  | { readonly kind: 'int_unique' }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'numeric'; readonly max: number; readonly scale: number }
  | { readonly kind: 'float'; readonly max: number }
  | { readonly kind: 'text_unique'; readonly maxLength: number | null }
  | { readonly kind: 'text'; readonly vocabulary: readonly string[] }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'time'; readonly type: 'date' | 'timestamp' | 'timestamptz' }
  | { readonly kind: 'interval' }
  | { readonly kind: 'jsonb' };

export interface ColumnPlan {
  readonly column: string;
  readonly type: string;
  readonly plan: FieldPlan;
}

export interface SyntheticOptions {
  /** How many distinct values each foreign-key-like uuid column draws from (default 100). */
  readonly refs?: number;
}

export const DEFAULT_REFS = 100;
const VOCABULARY_SIZE = 5;

/** FNV-1a: a stable 32-bit hash (field names → uuid prefixes, seeds → row generators). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const varcharLength = (type: string): number | null => {
  const m = /^character varying\((\d+)\)$/.exec(type);
  return m ? Number(m[1]) : null;
};

function numericPlan(type: string): FieldPlan {
  const m = /^numeric\((\d+),(-?\d+)\)$/.exec(type);
  if (!m) return { kind: 'numeric', max: 1000, scale: 2 };
  const precision = Number(m[1]);
  const scale = Number(m[2]);
  // Largest value the type holds is 10^(p-s) - 10^-s; keep sums of many rows far from it.
  const largest = 10 ** (precision - scale) - 10 ** -scale;
  const cap = Math.max(1000, 10 * 10 ** -scale);
  return { kind: 'numeric', max: Math.max(0, Math.min(largest, cap)), scale };
}

export function fieldPlan(field: FieldSpec, isKey: boolean, options: SyntheticOptions = {}): FieldPlan {
  const type = field.type;
  if (type === 'uuid') return isKey ? { kind: 'uuid_unique' } : { kind: 'uuid_ref', prefix: fnv1a(field.name).toString(16).padStart(8, '0'), refs: options.refs ?? DEFAULT_REFS };
  if (type === 'smallint' || type === 'integer' || type === 'bigint') return isKey ? { kind: 'int_unique' } : { kind: 'int', min: 1, max: 100 };
  if (type.startsWith('numeric')) return numericPlan(type);
  if (type === 'real' || type === 'double precision') return { kind: 'float', max: 1000 };
  if (type === 'text' || type.startsWith('character varying')) {
    const length = varcharLength(type);
    if (isKey) return { kind: 'text_unique', maxLength: length };
    const words = Array.from({ length: VOCABULARY_SIZE }, (_, k) => `${field.name}_${k + 1}`);
    // Fitted to varchar(n): keep the distinguishing suffix when the name does not fit.
    const fitted = length === null ? words : words.map((w, k) => (w.length <= length ? w : `${String(k + 1)}`.slice(0, length)));
    return { kind: 'text', vocabulary: fitted };
  }
  if (type === 'boolean') return { kind: 'boolean' };
  if (type === 'date') return { kind: 'time', type: 'date' };
  if (type === 'timestamp without time zone') return { kind: 'time', type: 'timestamp' };
  if (type === 'timestamp with time zone') return { kind: 'time', type: 'timestamptz' };
  if (type === 'interval') return { kind: 'interval' };
  return { kind: 'jsonb' };
}

/** One plan per field, in field order. Key columns other than the partition column are unique. */
export function entityPlan(entity: EntitySpec, options: SyntheticOptions = {}): ColumnPlan[] {
  const partitionColumn = entity.partitioning?.column ?? null;
  const key = new Set(entity.primaryKey.filter((c) => c !== partitionColumn));
  return entity.fields.map((f) => ({ column: f.name, type: f.type, plan: fieldPlan(f, key.has(f.name), options) }));
}

/** mulberry32: small, fast, good enough for test data. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0').slice(-width);

function randomUuid(rand: () => number): string {
  const words = Array.from({ length: 4 }, () => Math.floor(rand() * 2 ** 32));
  const h = words.map((w) => hex(w, 8)).join('');
  // RFC 4122 version 4, variant 10.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The k-th id of a foreign-key-like column's bounded set (also what src/verify/sql-rows.ts builds in SQL). */
export const refUuid = (prefix: string, k: number): string => `${prefix}-0000-4000-8000-${hex(k, 12)}`;

export interface TimeWindow {
  /** Inclusive, epoch milliseconds (UTC). */
  readonly fromMs: number;
  /** Exclusive. */
  readonly toMs: number;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
function formatTime(ms: number, type: 'date' | 'timestamp' | 'timestamptz'): string {
  const d = new Date(ms);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (type === 'date') return date;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  return type === 'timestamp' ? `${date} ${time}` : `${date} ${time}+00`;
}

export type SyntheticRow = Record<string, string | number | boolean | null>;

export interface RowGenerator {
  readonly columns: readonly string[];
  /** Row `index` (0-based) of this seed: the same on every call. */
  row(index: number): SyntheticRow;
}

/**
 * Rows for `entity`: values as text in PostgreSQL's input syntax (COPY and
 * jsonb take them as they are), numbers and booleans as JSON values.
 * `uniqueOffset` moves integer keys past existing ones.
 */
export function rowGenerator(entity: EntitySpec, seed: number, window: TimeWindow, options: SyntheticOptions & { uniqueOffset?: number } = {}): RowGenerator {
  const plans = entityPlan(entity, options);
  const span = Math.max(1, window.toMs - window.fromMs);
  const base = fnv1a(`specql:${seed}`);
  return {
    columns: plans.map((p) => p.column),
    row(index: number): SyntheticRow {
      const rand = mulberry32((base ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
      const out: SyntheticRow = {};
      for (const { column, plan } of plans) {
        switch (plan.kind) {
          case 'uuid_unique':
            out[column] = randomUuid(rand);
            break;
          case 'uuid_ref':
            out[column] = refUuid(plan.prefix, Math.floor(rand() * plan.refs));
            break;
          case 'int_unique':
            out[column] = (options.uniqueOffset ?? 0) + index + 1;
            break;
          case 'int':
            out[column] = plan.min + Math.floor(rand() * (plan.max - plan.min + 1));
            break;
          case 'numeric': {
            const value = rand() * plan.max;
            out[column] = plan.scale >= 0 ? value.toFixed(plan.scale) : String(Math.round(value / 10 ** -plan.scale) * 10 ** -plan.scale);
            break;
          }
          case 'float':
            out[column] = Number((rand() * plan.max).toFixed(6));
            break;
          case 'text_unique': {
            const text = randomUuid(rand);
            out[column] = plan.maxLength === null ? text : text.slice(0, plan.maxLength);
            break;
          }
          case 'text':
            out[column] = plan.vocabulary[Math.floor(rand() * plan.vocabulary.length)]!;
            break;
          case 'boolean':
            out[column] = rand() < 0.5;
            break;
          case 'time':
            out[column] = formatTime(window.fromMs + Math.floor(rand() * span), plan.type);
            break;
          case 'interval':
            out[column] = `${Math.floor(rand() * 86_400)} seconds`;
            break;
          case 'jsonb':
            out[column] = JSON.stringify({ n: index });
            break;
        }
      }
      return out;
    },
  };
}
