/**
 * What `ALTER COLUMN … TYPE new USING col::new` does to the values already
 * stored, for every pair of types (format_type spellings):
 *  - `safe`: binary-compatible; PostgreSQL changes the catalog only, no rewrite
 *    (varchar(n) → varchar(m ≥ n), varchar → text, numeric(p,s) → numeric(q ≥ p,s),
 *    numeric(p,s) → numeric, a timestamp's precision raised);
 *  - `rewrite`: every value converts exactly, but the table is rewritten
 *    (integer → bigint, date → timestamptz, numeric scale raised with room, … → text);
 *  - `lossy`: the explicit cast silently changes values that do not fit (strings cut,
 *    numbers rounded, the time of day dropped) or fails on them (out of range), and
 *    any pair specql cannot prove exact falls here too.
 * For a lossy change `lossPredicate` says which rows hold values the cast would
 * change or reject; the plan edge counts them (catalog/rows.ts) before the plan is shown.
 */
import { quoteIdent } from '../model/ident';

export type TypeChangeKind = 'safe' | 'rewrite' | 'lossy';

export interface TypeChange {
  readonly kind: TypeChangeKind | 'same';
  /** For a lossy change: what happens to the values that do not fit, in words. */
  readonly loss?: string;
  /** For a rewrite: a fact worth saying beside it. */
  readonly note?: string;
  /** For a lossy change: a boolean SQL predicate over the column, true where the value would change or fail;
   *  null when only trying the cast can tell (then counted in a subtransaction). */
  readonly predicate?: (column: string) => string | null;
}

interface Parsed {
  readonly base: string;
  readonly args: readonly number[];
}

/** `numeric(10,2)` → numeric [10,2]; `timestamp(3) with time zone` → timestamp with time zone [3]. */
function parse(type: string): Parsed {
  const t = type.trim().toLowerCase().replace(/\s+/g, ' ');
  const m = /^([a-z][a-z ]*?)(?: ?\((\d+)(?:, ?(\d+))?\))?( with time zone| without time zone)?$/.exec(t);
  if (!m) return { base: t, args: [] };
  const args = [m[2], m[3]].filter((x): x is string => x !== undefined).map(Number);
  return { base: `${m[1]}${m[4] ?? ''}`.trim(), args };
}

const INTEGERS: Readonly<Record<string, { rank: number; digits: number; lo: string; hi: string }>> = {
  smallint: { rank: 1, digits: 5, lo: '-32768', hi: '32767' },
  integer: { rank: 2, digits: 10, lo: '-2147483648', hi: '2147483647' },
  bigint: { rank: 3, digits: 19, lo: '-9223372036854775808', hi: '9223372036854775807' },
};
const FLOATS = new Set(['real', 'double precision']);
const STRINGS = new Set(['text', 'character varying', 'character']);
const TIMESTAMPS = new Set(['timestamp with time zone', 'timestamp without time zone']);

const same: TypeChange = { kind: 'same' };
const safe: TypeChange = { kind: 'safe' };
const rewrite: TypeChange = { kind: 'rewrite' };
const lossy = (loss: string, predicate: (c: string) => string | null): TypeChange => ({ kind: 'lossy', loss, predicate });

export function classifyTypeChange(fromType: string, toType: string): TypeChange {
  if (fromType === toType) return same;
  const from = parse(fromType);
  const to = parse(toType);
  const q = quoteIdent;
  const fromInt = INTEGERS[from.base];
  const toInt = INTEGERS[to.base];
  const numericLike = from.base === 'numeric' || FLOATS.has(from.base);

  // Strings.
  if (STRINGS.has(to.base) && to.args.length === 0 && to.base !== 'character') {
    // → text / unbounded varchar: varchar and text are binary-compatible; anything else prints as text.
    if (from.base === 'text' || from.base === 'character varying') return safe;
    return rewrite;
  }
  if (to.base === 'character varying' || to.base === 'character') {
    const m = to.args[0] ?? 1;
    if (to.base === 'character varying' && from.base === 'character varying' && from.args[0] !== undefined && from.args[0] <= m) return safe;
    if (to.base === 'character' && STRINGS.has(from.base) && from.args[0] !== undefined && from.args[0] <= m) return rewrite;
    const text = (c: string): string => (STRINGS.has(from.base) ? q(c) : `${q(c)}::text`);
    return lossy(`values longer than ${m} characters are cut to ${m}`, (c) => `length(${text(c)}) > ${m}`);
  }

  // Exact numbers.
  if (to.base === 'numeric') {
    if (to.args.length === 0) {
      if (from.base === 'numeric') return safe;
      if (fromInt || FLOATS.has(from.base)) return rewrite;
    } else {
      const [p, s = 0] = to.args as [number, number?];
      const whole = p - s;
      if (from.base === 'numeric' && from.args.length > 0) {
        const [fp, fs = 0] = from.args as [number, number?];
        if (s === fs && p >= fp) return safe;
        if (s >= fs && whole >= fp - fs) return rewrite;
      }
      if (fromInt && whole >= fromInt.digits) return rewrite;
      if (fromInt || numericLike) {
        const rounded = (c: string): string => (fromInt ? q(c) : `round(${q(c)}::numeric, ${s})`);
        return lossy(
          `values with more than ${s} decimal places are rounded; values of ${whole} or more integer digits make the change fail`,
          (c) => `CASE WHEN abs(${q(c)}) >= 1e${whole} THEN true ELSE ${q(c)} <> ${rounded(c)} END`,
        );
      }
    }
  }

  // Integers.
  if (toInt) {
    if (fromInt && toInt.rank > fromInt.rank) return rewrite;
    if (fromInt) return lossy(`values outside ${to.base}'s range make the change fail`, (c) => `${q(c)} NOT BETWEEN ${toInt.lo} AND ${toInt.hi}`);
    if (numericLike) {
      return lossy(
        `fractions are rounded to whole numbers; values outside ${to.base}'s range make the change fail`,
        (c) => `CASE WHEN ${q(c)} NOT BETWEEN ${toInt.lo} AND ${toInt.hi} THEN true ELSE ${q(c)} <> round(${q(c)}) END`,
      );
    }
  }

  // Floating point.
  if (to.base === 'double precision') {
    if (from.base === 'real' || from.base === 'smallint' || from.base === 'integer') return rewrite;
  }
  if (to.base === 'real' && from.base === 'smallint') return rewrite;
  if (FLOATS.has(to.base) && (fromInt || numericLike)) {
    return lossy(`digits beyond ${to.base}'s precision are rounded`, (c) =>
      to.base === 'real' && from.base === 'double precision'
        ? `CASE WHEN abs(${q(c)}) > 3.4e38 THEN true ELSE ${q(c)}::real::double precision <> ${q(c)} END`
        : `${q(c)}::numeric <> ${q(c)}::${to.base}::numeric`,
    );
  }

  // Dates and times.
  if (TIMESTAMPS.has(to.base)) {
    if (from.base === 'date') return rewrite;
    if (TIMESTAMPS.has(from.base)) {
      const fp = from.args[0] ?? 6;
      const tp = to.args[0] ?? 6;
      if (tp < fp) return lossy(`fractions of a second beyond ${tp} digits are rounded`, (c) => `${q(c)} <> ${q(c)}::${toType}`);
      // with ↔ without time zone: the values are re-read in the session's time zone, none is lost.
      return from.base === to.base
        ? safe
        : { kind: 'rewrite', note: 'values are converted in the session time zone; PostgreSQL skips the rewrite when that zone is UTC' };
    }
  }
  if (to.base === 'date' && TIMESTAMPS.has(from.base)) {
    return lossy('the time of day is dropped', (c) => `${q(c)} <> ${q(c)}::date`);
  }

  return lossy(`specql cannot prove that every ${fromType} value converts to ${toType} unchanged`, () => null);
}
