/**
 * One normal form for the values pg_catalog prints differently from how a
 * spec (or the generator) spells them. The catalog reader applies it to live
 * values and the planner applies it to desired values before comparing, so
 * neither side has to guess the other's spelling.
 *
 * Default expressions — the chosen normal form:
 *  - outer parentheses and surrounding whitespace removed;
 *  - a trailing cast to the column's own type (with or without typmod) is
 *    stripped: `'x'::text` on a text column → `'x'`, `'x'::character varying`
 *    on `character varying(40)` → `'x'`, `'-1'::integer` → `'-1'`;
 *  - a quoted numeric literal is unquoted: `'-1'` → `-1`, `'0.00'` → `0.00`;
 *  - `CURRENT_TIMESTAMP` / `now()` (any case) → `now()` (the same function);
 *  - `true`/`false` lower-cased; everything else kept verbatim.
 * Identity columns have no default expression (null) on both sides.
 */

/** `character varying(40)` → `character varying`; `numeric(10,2)` → `numeric`. */
export function typeBase(type: string): string {
  return type.replace(/\(.*\)/, '').replace(/\s+/g, ' ').trim();
}

function stripOuterParens(text: string): string {
  let t = text.trim();
  while (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1).trim();
  return t;
}

function balanced(text: string): boolean {
  let depth = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) return false;
  }
  return depth === 0 && !quoted;
}

export function normalizeDefault(expr: string | null | undefined, columnType: string): string | null {
  if (expr === null || expr === undefined) return null;
  let t = stripOuterParens(expr);
  if (t === '') return null;
  const base = typeBase(columnType).toLowerCase();
  const full = columnType.replace(/\s+/g, ' ').trim().toLowerCase();
  // A trailing `::type` cast to the column's own type adds nothing.
  const cast = /^(.*?)::([a-z_][a-z0-9_ ]*(?:\([0-9, ]+\))?(?:\[\])?)$/i.exec(t);
  if (cast) {
    const castType = cast[2]!.replace(/\s+/g, ' ').trim().toLowerCase();
    if (castType === full || castType === base || typeBase(castType) === base) t = stripOuterParens(cast[1]!);
  }
  const quotedNumber = /^'(-?[0-9]+(?:\.[0-9]+)?)'$/.exec(t);
  if (quotedNumber) t = quotedNumber[1]!;
  if (/^(current_timestamp|now\(\))$/i.test(t)) t = 'now()';
  if (/^(true|false)$/i.test(t)) t = t.toLowerCase();
  return t;
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
