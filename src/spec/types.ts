/**
 * Column types as written in specs → PostgreSQL's canonical spelling (what
 * `format_type` prints), so the catalog comparison later sees equal strings.
 */
import type { SqlType } from './model';

/** Spellings accepted without parameters (lower case, single spaces). */
const SIMPLE: Record<string, SqlType> = {
  uuid: 'uuid',
  smallint: 'smallint',
  int2: 'smallint',
  integer: 'integer',
  int: 'integer',
  int4: 'integer',
  bigint: 'bigint',
  int8: 'bigint',
  numeric: 'numeric',
  decimal: 'numeric',
  real: 'real',
  float4: 'real',
  double: 'double precision',
  'double precision': 'double precision',
  float8: 'double precision',
  text: 'text',
  varchar: 'character varying',
  'character varying': 'character varying',
  boolean: 'boolean',
  bool: 'boolean',
  date: 'date',
  timestamp: 'timestamp without time zone',
  'timestamp without time zone': 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  'timestamp with time zone': 'timestamp with time zone',
  interval: 'interval',
  jsonb: 'jsonb',
};

/** Names offered in "did you mean" and in the docs. */
export const TYPE_NAMES = [
  'uuid', 'smallint', 'integer', 'bigint', 'numeric', 'decimal', 'real', 'double precision', 'text', 'varchar',
  'boolean', 'date', 'timestamp', 'timestamptz', 'interval', 'jsonb',
] as const;

export type TypeResult = { ok: true; type: SqlType } | { ok: false; problem: 'unknown' | 'bad_modifier'; detail: string };

export function normalizeType(written: string): TypeResult {
  const spelled = written.trim().toLowerCase().replace(/\s+/g, ' ').replace(/\s*\(\s*/g, '(').replace(/\s*,\s*/g, ',').replace(/\s*\)/g, ')');
  const match = /^([a-z][a-z0-9 ]*?)(?:\((\d+)(?:,(-?\d+))?\))?$/.exec(spelled);
  if (!match) return { ok: false, problem: 'unknown', detail: spelled };
  const [, name, first, second] = match;
  const base = SIMPLE[name];
  if (!base) return { ok: false, problem: 'unknown', detail: name };
  if (first === undefined) return { ok: true, type: base };
  if (base === 'numeric') {
    const precision = Number(first);
    const scale = second === undefined ? 0 : Number(second);
    if (precision < 1 || precision > 1000) return { ok: false, problem: 'bad_modifier', detail: `precision ${precision} must be between 1 and 1000` };
    if (scale < -1000 || scale > 1000) return { ok: false, problem: 'bad_modifier', detail: `scale ${scale} must be between -1000 and 1000` };
    // format_type prints numeric(p) as numeric(p,0).
    return { ok: true, type: `numeric(${precision},${scale})` };
  }
  if (base === 'character varying' && second === undefined) {
    const length = Number(first);
    if (length < 1 || length > 10485760) return { ok: false, problem: 'bad_modifier', detail: `length ${length} must be between 1 and 10485760` };
    return { ok: true, type: `character varying(${length})` };
  }
  return { ok: false, problem: 'bad_modifier', detail: `${name} takes no (${second === undefined ? first : `${first},${second}`})` };
}

export const isTemporal = (type: SqlType): boolean =>
  type === 'date' || type === 'timestamp without time zone' || type === 'timestamp with time zone';
