/**
 * One normal form for the values pg_catalog prints differently from how a
 * spec (or the generator) spells them. The catalog reader applies it to live
 * values and the planner applies it to desired values before comparing, so
 * neither side has to guess the other's spelling.
 *
 * Defaults are compared as trees (canonicalDefault): both sides are parsed by
 * PostgreSQL's grammar, canonicalised, and deparsed. What PostgreSQL 15–18 print
 * for a default (pg_get_expr) differs from what was written only in ways these
 * rules undo:
 *  - a string constant carries the type it was resolved to: `'new'::text`,
 *    `'pending'::character varying`, `upper('new'::text)`, `'{}'::jsonb` — a
 *    cast of a string constant to a text type is dropped anywhere, and at the
 *    top level a cast to the column's own type is dropped (an untyped constant
 *    there is resolved to that type);
 *  - numbers are printed in numeric's output form, negative ones with a cast:
 *    `'-1'::integer`, `'1000'::numeric` (for 1e3), `'-1.5'::numeric` — a number
 *    in a string cast to a numeric type, or a quoted number at the top of a
 *    numeric column, becomes that number, in canonical digits;
 *  - booleans are printed `true`/`false` (`'t'` on a boolean column comes back `true`);
 *  - `NULL` constants carry a type: `COALESCE(NULL::text, 'x'::text)` — the cast is dropped;
 *    a default of NULL is no default (PostgreSQL stores none);
 *  - `pg_catalog.` qualifiers, type spellings (`int4` / `integer`) and parentheses
 *    are the tree's, not the text's, so they disappear in the round trip.
 * Anything else (an interval written `'1 hour'` comes back `'01:00:00'::interval`)
 * needs the server's own rendering: see ./defaults.ts, which asks it.
 * Identity columns have no default expression (null) on both sides.
 */
import { deparseExpression, ExpressionDeparseError, parseExpression, type ExpressionTree, type SqlExpression } from '../model/expression';

/** `character varying(40)` → `character varying`; `numeric(10,2)` → `numeric`. */
export function typeBase(type: string): string {
  return type.replace(/\(.*\)/, '').replace(/\s+/g, ' ').trim();
}

const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar', 'name']);
const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8']);
const BOOLEAN_WORDS: Record<string, boolean> = {
  t: true, tr: true, tru: true, true: true, y: true, ye: true, yes: true, on: true, '1': true,
  f: false, fa: false, fal: false, fals: false, false: false, n: false, no: false, of: false, off: false, '0': false,
};

/** The type name as the parser resolves it (`integer` → int4), without `pg_catalog.`. */
function internalTypeName(columnType: string): string | null {
  const parsed = parseExpression(`NULL::${columnType}`);
  if (!parsed.ok) return null;
  const names = ((parsed.tree['TypeCast'] as { typeName?: { names?: { String?: { sval?: string } }[] } } | undefined)?.typeName?.names ?? []).map((n) => n.String?.sval ?? '');
  return names.at(-1) ?? null;
}

/** A number written in a string (`'-1'`, `'1e3'`) in numeric's output form, or null if it is not one. */
export function canonicalNumber(text: string): string | null {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const exponent = Number(m[4] ?? 0);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 1000) return null;
  let digits = `${m[2]}${m[3] ?? ''}`;
  let scale = (m[3] ?? '').length - exponent;
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  digits = digits.padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale).replace(/^0+(?=\d)/, '');
  const fraction = digits.slice(digits.length - scale);
  const zero = /^0*$/.test(whole + fraction);
  return `${m[1] === '-' && !zero ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

/** A number constant as the parser would make it from `text` (integers within int4 are ival). */
function numberConstant(canonical: string): ExpressionTree {
  const n = Number(canonical);
  if (!canonical.includes('.') && Number.isInteger(n) && n >= -2147483648 && n <= 2147483647) return { A_Const: n === 0 ? { ival: {} } : { ival: { ival: n } } };
  return { A_Const: { fval: { fval: canonical } } };
}

/** A string constant read as a constant of an (internal) type name, when that changes its spelling. */
function typedConstant(value: string, type: string): ExpressionTree | null {
  if (TEXT_TYPES.has(type)) return { A_Const: { sval: { sval: value } } };
  if (NUMERIC_TYPES.has(type)) {
    const number = canonicalNumber(value);
    return number === null ? null : numberConstant(number);
  }
  if (type === 'bool') {
    const word = BOOLEAN_WORDS[value.trim().toLowerCase()];
    return word === undefined ? null : { A_Const: word ? { boolval: { boolval: true } } : { boolval: {} } };
  }
  return null;
}

const stringOf = (node: unknown): string | null => {
  const constant = (node as { A_Const?: { sval?: { sval?: string } } } | undefined)?.A_Const;
  return constant?.sval ? (constant.sval.sval ?? '') : null;
};
const isNullConstant = (node: unknown): boolean => (node as { A_Const?: { isnull?: boolean } } | undefined)?.A_Const?.isnull === true;

function canonicalTree(node: unknown, columnType: string | null, top: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => canonicalTree(n, columnType, false));
  if (!node || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  const cast = record['TypeCast'] as { arg: unknown; typeName: { names: { String: { sval: string } }[]; typmods?: unknown } } | undefined;
  if (cast) {
    const type = cast.typeName.names.at(-1)?.String.sval ?? '';
    const value = stringOf(cast.arg);
    if (isNullConstant(cast.arg)) return { A_Const: { isnull: true } };
    if (value !== null && cast.typeName.typmods === undefined) {
      const typed = typedConstant(value, type);
      if (typed) return typed;
      if (top && type === columnType) return { A_Const: { sval: { sval: value } } };
    }
  }
  const value = top ? stringOf(node) : null;
  if (value !== null && columnType !== null) return typedConstant(value, columnType) ?? node;
  const constant = record['A_Const'] as { fval?: { fval?: string } } | undefined;
  if (constant?.fval?.fval !== undefined) {
    const number = canonicalNumber(constant.fval.fval);
    if (number !== null) return numberConstant(number);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'location') continue;
    // `pg_catalog.upper` / `pg_catalog.int4` and `upper` / `int4` are the same built-in.
    if ((key === 'funcname' || key === 'names') && Array.isArray(value) && value.length === 2 && (value[0] as { String?: { sval?: string } }).String?.sval === 'pg_catalog') {
      const kind = (record as { funcformat?: string }).funcformat;
      out[key] = kind === 'COERCE_SQL_SYNTAX' ? value : [value[1]];
      continue;
    }
    out[key] = canonicalTree(value, columnType, false);
  }
  return out;
}

/**
 * The canonical text of a column default, or null for none. `expr` is either
 * the spec's deparsed default or what pg_get_expr printed for a live column;
 * `columnType` is the column's type as format_type prints it.
 */
export function canonicalDefault(expr: string | null | undefined, columnType: string): SqlExpression | null {
  if (expr === null || expr === undefined || expr.trim() === '') return null;
  const parsed = parseExpression(expr);
  // pg_get_expr output that PostgreSQL 17's grammar cannot read (a newer server's syntax):
  // it is PostgreSQL's own deparser output; compare it as printed.
  if (!parsed.ok) return expr.trim() as SqlExpression;
  if (isNullConstant(parsed.tree) || (parsed.tree['TypeCast'] && isNullConstant((parsed.tree['TypeCast'] as { arg: unknown }).arg))) return null;
  try {
    return deparseExpression(canonicalTree(parsed.tree, internalTypeName(columnType), true) as ExpressionTree);
  } catch (err) {
    if (!(err instanceof ExpressionDeparseError)) throw err;
    // A form the rules cannot rewrite faithfully: compare it as the deparser prints it.
    return deparseExpression(parsed.tree);
  }
}

/** Function bodies: prosrc holds exactly what was between the dollar quotes;
 *  createFunctionSql wraps the body in newlines, so leading/trailing newlines
 *  are not part of the comparison. */
export function normalizeBody(body: string): string {
  return body.replace(/^\n+|\n+$/g, '');
}

/** `2024-01-01 00:00:00+00` / `2024-01-01` / `2024-01-01 00:00:00` → `2024-01-01T00:00:00Z`
 *  (the reader runs with TimeZone=UTC, so offsets are always +00). MINVALUE/MAXVALUE stay as they are. */
export function normalizeBoundValue(value: string): string {
  const v = value.trim().replace(/^'|'$/g, '');
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?)?(?:([+-]\d{2})(?::?(\d{2}))?|Z)?$/.exec(v);
  if (!m) return v;
  const offsetHours = m[3] ? Number(m[3]) : 0;
  const offsetMinutes = m[4] ? Number(m[4]) * Math.sign(offsetHours || 1) : 0;
  const date = new Date(`${m[1]}T${m[2] ?? '00:00:00'}Z`);
  date.setUTCMinutes(date.getUTCMinutes() - offsetHours * 60 - offsetMinutes);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `FOR VALUES FROM ('a') TO ('b')` / `DEFAULT` → the PartitionObject bound. */
export function parsePartitionBound(
  text: string,
): { kind: 'range'; from: string; to: string } | { kind: 'default' } | null {
  if (text.trim() === 'DEFAULT') return { kind: 'default' };
  const m = /^FOR VALUES FROM \((.+)\) TO \((.+)\)$/.exec(text.trim());
  if (!m) return null;
  return { kind: 'range', from: normalizeBoundValue(m[1]!), to: normalizeBoundValue(m[2]!) };
}

/** Reloptions `{pages_per_range=128}` → `{ pages_per_range: '128' }`, keys sorted. */
export function parseReloptions(options: readonly string[] | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const option of [...(options ?? [])].sort()) {
    const eq = option.indexOf('=');
    if (eq > 0) out[option.slice(0, eq)] = option.slice(eq + 1);
  }
  return out;
}
