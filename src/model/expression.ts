/**
 * The one wrapper around PostgreSQL's own parser and deparser (libpg-query,
 * PG 17 grammar). Every SQL expression a spec supplies is parsed here, checked
 * by the allow-list in src/spec/expressions.ts, and put back out by the
 * deparser here; nothing else turns spec text into SQL.
 *
 * `SqlExpression` is the brand of text that came out of the deparser (or, for
 * live defaults, out of PostgreSQL's pg_get_expr). Generated SQL accepts only
 * that type where it expects an expression, so a raw spec string cannot be
 * passed there by mistake: the compiler refuses it.
 *
 * libpg-query loads WebAssembly asynchronously: `await loadExpressionParser()`
 * once (the spec loader and the catalog reader do) before the synchronous
 * functions here.
 */
import { deparseSync, loadModule, parseSync, scanSync } from 'libpg-query';

/** A parse-tree node as libpg-query prints it: `{ "ColumnRef": { ... } }`. */
export type ExpressionTree = Record<string, unknown>;

declare const deparsed: unique symbol;
/** SQL text of one expression, produced by a deparser: never raw spec text. */
export type SqlExpression = string & { readonly [deparsed]: true };

/** The parse failed, or the text is not exactly one plain expression. */
export interface ExpressionSyntaxError {
  readonly ok: false;
  readonly error: string;
  /** Where, as an index into the expression text (what editors count, not bytes). */
  readonly offset: number;
}

export type ParsedExpression = { readonly ok: true; readonly tree: ExpressionTree } | ExpressionSyntaxError;

const PREFIX = 'SELECT ';
/** The protobuf version tag libpg-query 17 expects on a tree it deparses. */
const PG_VERSION_NUM = 170004;

let ready = false;
let loading: Promise<void> | null = null;

export function loadExpressionParser(): Promise<void> {
  if (ready) return Promise.resolve();
  loading ??= loadModule().then(() => {
    ready = true;
  });
  return loading;
}

function assertReady(): void {
  if (ready) return;
  // Another module may have loaded the (process-wide) WASM module already.
  try {
    parseSync('SELECT 1');
    ready = true;
  } catch {
    throw new Error('The PostgreSQL expression parser is not loaded yet: await loadExpressionParser() first (loadSpecs and readCatalog do).');
  }
}

// ---------------------------------------------------------------------------
// Parsing

/** Byte offsets (what PostgreSQL reports) → string indices (what editors count). */
function byteToCharIndex(text: string): (byteOffset: number) => number {
  if (Buffer.byteLength(text) === text.length) return (b) => b;
  const starts: number[] = [];
  let bytes = 0;
  for (const ch of text) {
    for (let unit = 0; unit < ch.length; unit++) starts.push(bytes);
    bytes += Buffer.byteLength(ch);
  }
  return (b) => {
    let i = 0;
    while (i < starts.length && starts[i]! < b) i++;
    return i;
  };
}

/** Rewrites every `location` in the tree to an index into the expression text (prefix removed). */
function relocate(node: unknown, toChar: (b: number) => number): void {
  if (Array.isArray(node)) {
    for (const item of node) relocate(item, toChar);
  } else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (key === 'location' && typeof value === 'number' && value >= 0) record[key] = Math.max(0, toChar(value) - PREFIX.length);
      else relocate(value, toChar);
    }
  }
}

type RawParse = { tree: { stmts?: { stmt: ExpressionTree; stmt_location?: number }[] } } | { message: string };

function tryParse(sql: string): RawParse {
  try {
    return { tree: parseSync(sql) as never };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Scanner errors (unterminated quotes) reach us as a JSON.parse failure of the library's error text.
    if (/is not valid JSON/.test(message)) return { message: /"zero-lengt/.test(message) ? 'zero-length delimited identifier' : 'unterminated quoted string or identifier' };
    return { message };
  }
}

/**
 * libpg-query's error text carries no cursor position, so we recover it: the
 * error is "at end of input" or "at or near <token>". When the token occurs
 * several times, the failing one is the last occurrence whose preceding text
 * still parses (or fails only "at end of input").
 */
function errorByteOffset(sql: string, message: string): number {
  const byteLength = Buffer.byteLength(sql);
  if (/at end of input/.test(message)) return byteLength;
  if (/unterminated|zero-length/.test(message)) {
    const quote = /(['"])(?:(?!\1).|\1\1)*$/s.exec(sql);
    return quote ? Buffer.byteLength(sql.slice(0, quote.index)) : byteLength;
  }
  const near = /at or near "(.*)"$/s.exec(message)?.[1];
  if (near === undefined) return Buffer.byteLength(PREFIX);
  let tokens: { start: number; end: number }[] = [];
  try {
    tokens = scanSync(sql).tokens;
  } catch {
    tokens = [];
  }
  const bytes = Buffer.from(sql);
  const candidates = tokens.filter((t) => bytes.subarray(t.start, t.end).toString() === near);
  if (candidates.length === 0) {
    const index = sql.indexOf(near, PREFIX.length);
    return index < 0 ? Buffer.byteLength(PREFIX) : Buffer.byteLength(sql.slice(0, index));
  }
  let offset = candidates[0]!.start;
  for (const candidate of candidates) {
    const result = tryParse(bytes.subarray(0, candidate.start).toString());
    if ('tree' in result || /at end of input/.test(result.message)) offset = candidate.start;
    else break;
  }
  return offset;
}

/** Query parts an expression must not have, with the keyword that starts each. */
const QUERY_CLAUSES: readonly (readonly [string, string, readonly string[]])[] = [
  ['withClause', 'WITH', ['WITH']],
  ['distinctClause', 'DISTINCT', ['DISTINCT']],
  ['intoClause', 'INTO', ['INTO']],
  ['fromClause', 'FROM', ['FROM']],
  ['whereClause', 'WHERE', ['WHERE']],
  ['groupClause', 'GROUP BY', ['GROUP']],
  ['havingClause', 'HAVING', ['HAVING']],
  ['windowClause', 'WINDOW', ['WINDOW']],
  ['sortClause', 'ORDER BY', ['ORDER']],
  ['limitCount', 'LIMIT', ['LIMIT', 'FETCH']],
  ['limitOffset', 'OFFSET', ['OFFSET']],
  ['lockingClause', 'FOR', ['FOR']],
];

/** Byte offset of the first of `keywords` outside parentheses (after the leading SELECT), or of the text. */
function keywordOffset(sql: string, keywords: readonly string[]): number {
  let depth = 0;
  try {
    for (const token of scanSync(sql).tokens.slice(1)) {
      if (token.text === '(' || token.text === '[') depth++;
      else if (token.text === ')' || token.text === ']') depth--;
      else if (depth === 0 && keywords.includes(token.text.toUpperCase())) return token.start;
    }
  } catch {
    // unscannable text was reported by the parser already
  }
  return Buffer.byteLength(PREFIX);
}

/**
 * Parses one SQL expression with PostgreSQL's grammar, as `SELECT <text>`.
 * Returns the expression's tree (locations are indices into `text`) or the
 * parser's error with its offset in `text`. Anything that is not a single plain
 * expression (`a FROM b`, `1; DROP TABLE t`, `1 UNION SELECT 2`, `a AS b`,
 * `a, b`) is an error too.
 */
export function parseExpression(text: string): ParsedExpression {
  assertReady();
  const fail = (error: string, offset: number): ExpressionSyntaxError => ({ ok: false, error, offset: Math.max(0, Math.min(text.length, offset)) });
  // `SELECT` with nothing after it is valid PostgreSQL (an empty target list), so check first.
  if (text.trim() === '') return fail('the expression is empty', 0);
  const sql = PREFIX + text;
  const toChar = byteToCharIndex(sql);
  const result = tryParse(sql);
  if ('message' in result) return fail(result.message.trim(), toChar(errorByteOffset(sql, result.message)) - PREFIX.length);
  const stmts = result.tree.stmts ?? [];
  if (stmts.length !== 1) {
    const second = stmts[1]?.stmt_location ?? Buffer.byteLength(sql);
    return fail('only one expression is allowed, not several statements', toChar(second) - PREFIX.length - 1);
  }
  const select = stmts[0]!.stmt['SelectStmt'] as Record<string, unknown> | undefined;
  const at = (keywords: readonly string[]) => toChar(keywordOffset(sql, keywords)) - PREFIX.length;
  if (!select || select['valuesLists'] !== undefined) return fail('expected an expression, not a statement', 0);
  if (select['op'] !== 'SETOP_NONE') return fail(`expected an expression, not a query (it has ${String(select['op']).replace('SETOP_', '')})`, at(['UNION', 'INTERSECT', 'EXCEPT']));
  for (const [clause, name, keywords] of QUERY_CLAUSES) {
    if (select[clause] !== undefined) return fail(`expected an expression, not a query (it has a ${name} part)`, at(keywords));
  }
  const targets = (select['targetList'] ?? []) as { ResTarget: { val: ExpressionTree; name?: string; location: number } }[];
  if (targets.length === 0) return fail('the expression is empty', 0);
  if (targets.length !== 1) return fail('expected one expression, found a comma-separated list', toChar(targets[1]!.ResTarget.location) - PREFIX.length);
  if (targets[0]!.ResTarget.name !== undefined) return fail('an expression cannot have an alias (AS ...)', 0);
  const tree = targets[0]!.ResTarget.val;
  relocate(tree, toChar);
  return { ok: true, tree };
}

// ---------------------------------------------------------------------------
// Deparsing

// libpg-query 17.3.2's JSON → protobuf step loses `true` constants: its generated
// code calls `Boolean(x)` where `Boolean` is shadowed by the protobuf message class,
// so every `true` deparses as `false`. A ready-made message instance passes through
// untouched. (The round-trip check below would catch any other such loss.)
// libpg-query ships proto.js only up to 17.3.x (17.7 dropped it), so package.json pins
// 17.3.2 exactly: with a caret range, a consuming repository's install broke here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protobuf = (require('libpg-query/proto.js') as { pg_query: { Boolean: { create(props: { boolval: boolean }): unknown } } }).pg_query;

function withBooleanMessages(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withBooleanMessages);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === 'boolval' && value !== null && typeof value === 'object' && !Array.isArray(value)
        ? protobuf.Boolean.create({ boolval: (value as { boolval?: unknown }).boolval === true })
        : withBooleanMessages(value);
  }
  return out;
}

export function stripLocations(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripLocations);
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (k !== 'location') out[k] = stripLocations(v);
    return out;
  }
  return node;
}

/** Structural equality of two expression trees, ignoring source locations. */
export function sameExpression(a: ExpressionTree, b: ExpressionTree): boolean {
  return JSON.stringify(stripLocations(a)) === JSON.stringify(stripLocations(b));
}

/** Thrown when the deparser's text does not parse back to the same tree: never emitted. */
export class ExpressionDeparseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionDeparseError';
  }
}

/**
 * Renders an expression tree as SQL with PostgreSQL's own deparser
 * (deterministic), and proves the text means the tree: it must parse back, as
 * exactly one expression, to the same tree. Throws ExpressionDeparseError otherwise.
 */
/**
 * Deparsed text by tree (locations stripped): deparsing is pure, and one call
 * costs about half a millisecond (protobuf encoding), while specs repeat the
 * same defaults (`0`, `now()`) across many fields. Bounded: cleared when full.
 */
const deparsedByTree = new Map<string, SqlExpression>();
const DEPARSE_MEMO_SIZE = 10_000;

export function deparseExpression(tree: ExpressionTree): SqlExpression {
  const key = JSON.stringify(stripLocations(tree));
  const known = deparsedByTree.get(key);
  if (known !== undefined) return known;
  const text = deparseUncached(tree);
  if (deparsedByTree.size >= DEPARSE_MEMO_SIZE) deparsedByTree.clear();
  deparsedByTree.set(key, text);
  return text;
}

function deparseUncached(tree: ExpressionTree): SqlExpression {
  assertReady();
  const select = { SelectStmt: { targetList: [{ ResTarget: { val: withBooleanMessages(tree) } }], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } };
  let sql: string;
  try {
    sql = deparseSync({ version: PG_VERSION_NUM, stmts: [{ stmt: select }] } as never);
  } catch (err) {
    throw new ExpressionDeparseError(`the PostgreSQL deparser cannot render this expression: ${(err as Error).message}`);
  }
  if (!sql.startsWith(PREFIX)) throw new ExpressionDeparseError(`unexpected deparser output: ${sql}`);
  const text = sql.slice(PREFIX.length);
  const back = parseExpression(text);
  if (!back.ok || !sameExpression(back.tree, tree)) {
    throw new ExpressionDeparseError(`the deparsed expression does not parse back to the same tree: ${text}`);
  }
  return text as SqlExpression;
}

/** Node kinds that stand on their own in any operand position (PostgreSQL's c_expr and constants). */
function isPrimary(tree: ExpressionTree): boolean {
  const [kind, body] = Object.entries(tree)[0] ?? [];
  const node = (body ?? {}) as Record<string, unknown>;
  switch (kind) {
    case 'A_Const':
    case 'ColumnRef':
    case 'SQLValueFunction':
    case 'CaseExpr':
    case 'CoalesceExpr':
    case 'MinMaxExpr':
    case 'TypeCast':
      return true;
    case 'FuncCall':
      // `f(x)`, EXTRACT(…), SUBSTRING(…) are primaries; `x AT TIME ZONE y` is an operator form.
      return !(node['funcformat'] === 'COERCE_SQL_SYNTAX' && /^(timezone|is_normalized|overlaps)$/.test(String(lastName(node['funcname']))));
    case 'A_Expr':
      return node['kind'] === 'AEXPR_NULLIF';
    default:
      return false;
  }
}

const lastName = (names: unknown): string | undefined =>
  Array.isArray(names) ? ((names.at(-1) as { String?: { sval?: string } } | undefined)?.String?.sval ?? undefined) : undefined;

/**
 * Like deparseExpression, but parenthesised unless it is a primary, so the
 * text may stand where PostgreSQL's grammar takes only a restricted
 * expression — notably `DEFAULT b_expr` in a column definition, which does not
 * accept `x AT TIME ZONE 'UTC'` or `a IS NULL` bare.
 */
export function deparseOperand(tree: ExpressionTree): SqlExpression {
  const text = deparseExpression(tree);
  return (isPrimary(tree) ? text : `(${text})`) as SqlExpression;
}

/**
 * Expressions written in this code base (never spec text), already in the
 * deparser's own spelling, so generating objects needs no parser: the unit
 * test (test/model/expression.test.ts) proves each one equals deparse(parse(x)).
 */
export const GENERATED_EXPRESSIONS = {
  now: 'now()' as SqlExpression,
  todayUtc: "(now() AT TIME ZONE 'UTC')::date" as SqlExpression,
  randomUuid: 'gen_random_uuid()' as SqlExpression,
} as const;

/** An integer constant as the deparser prints it. */
export function integerExpression(value: number): SqlExpression {
  if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
  return String(value) as SqlExpression;
}

/** A bare column reference, deparsed (quoted when the name needs it). */
export function columnExpression(name: string): SqlExpression {
  return deparseExpression({ ColumnRef: { fields: [{ String: { sval: name } }] } });
}

/**
 * Bare column references for many names at once, exactly as columnExpression
 * gives them, without a deparser call per name (a 1,600-field entity's view
 * lists every field; one deparse costs about half a millisecond). A plain
 * lower-case name is left bare unless it is a keyword other than an
 * unreserved one, the rule of PostgreSQL's quote_identifier that the deparser
 * follows; the scanner tells every name's keyword category in one call.
 * test/model/expression.test.ts proves it equal to the deparser for every keyword.
 */
export function columnExpressions(names: readonly string[]): SqlExpression[] {
  assertReady();
  const plain = /^[a-z_][a-z0-9_]*$/;
  const simple = names.filter((n) => plain.test(n));
  const bare = new Set<string>();
  if (simple.length > 0) {
    for (const token of scanSync(simple.join(' ')).tokens) {
      if (token.keywordName === 'NO_KEYWORD' || token.keywordName === 'UNRESERVED_KEYWORD') bare.add(token.text);
    }
  }
  return names.map((name) => (bare.has(name) ? (name as SqlExpression) : plain.test(name) ? (`"${name}"` as SqlExpression) : columnExpression(name)));
}

/** Parses deparser output again (it always parses: it was checked when made). */
export function treeOf(expression: SqlExpression): ExpressionTree {
  const parsed = parseExpression(expression);
  if (!parsed.ok) throw new Error(`deparsed expression does not parse: ${parsed.error}: ${expression}`);
  return parsed.tree;
}

/** Functions whose value differs per call (PostgreSQL marks them VOLATILE): as a column default, one value per row. */
export const PER_ROW_FUNCTIONS: ReadonlySet<string> = new Set(['gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v4', 'random', 'clock_timestamp', 'timeofday', 'nextval']);

/**
 * True when the expression calls a function whose value differs per row, so
 * that `ADD COLUMN … DEFAULT <it>` must write every row (a rewrite) instead of
 * storing one value in the catalog. Read from the parse tree: a name inside a
 * string constant or a comment is not a call.
 */
export function callsPerRowFunction(expression: SqlExpression): boolean {
  const stack: unknown[] = [treeOf(expression)];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'FuncCall') {
          const name = lastName((value as { funcname?: unknown }).funcname);
          if (name !== undefined && PER_ROW_FUNCTIONS.has(name.toLowerCase())) return true;
        }
        stack.push(value);
      }
    }
  }
  return false;
}
