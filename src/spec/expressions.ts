/**
 * SQL expressions in specs (workflow assignments and conditions, view columns,
 * defaults) are parsed by PostgreSQL's own parser (libpg-query, PG 17 grammar)
 * rather than a home-made one, so what we accept is exactly what PostgreSQL
 * will accept. Each expression is parsed as `SELECT <expr>`; positions are
 * reported relative to the expression text (0-based, in JS string indices).
 *
 * libpg-query loads WebAssembly asynchronously: call `loadExpressionParser()`
 * once (loadSpecs does) before the synchronous functions here.
 */
import { loadModule, parseSync, scanSync } from 'libpg-query';
import { nearest } from './suggest';

const PREFIX = 'SELECT ';

let ready = false;

export async function loadExpressionParser(): Promise<void> {
  if (ready) return;
  await loadModule();
  ready = true;
}

function assertReady(): void {
  if (!ready) throw new Error('The PostgreSQL expression parser is not loaded yet: await loadExpressionParser() (or use loadSpecs) first.');
}

/** A parse-tree node as libpg-query prints it: `{ "ColumnRef": { ... } }`. */
export type AstNode = Record<string, unknown>;

export type ParsedExpression = { ast: AstNode } | { error: string; offset: number };

/** Byte offsets (what PostgreSQL reports) → string indices (what editors count). */
function byteToCharIndex(text: string): (byteOffset: number) => number {
  if (Buffer.byteLength(text) === text.length) return (b) => b;
  const starts: number[] = [];
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    starts.push(bytes);
    bytes += Buffer.byteLength(text[i]);
  }
  return (b) => {
    let i = 0;
    while (i < starts.length && starts[i] < b) i++;
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

function tryParse(sql: string): { tree: { stmts?: { stmt: AstNode; stmt_location?: number }[] } } | { message: string } {
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
    const quote = /(['"])(?:(?!\1).|\1\1)*$/.exec(sql);
    return quote ? Buffer.byteLength(sql.slice(0, quote.index)) : byteLength;
  }
  const near = /at or near "(.*)"$/.exec(message)?.[1];
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
  let offset = candidates[0].start;
  for (const candidate of candidates) {
    const prefix = bytes.subarray(0, candidate.start).toString();
    const result = tryParse(prefix);
    if ('tree' in result || /at end of input/.test(result.message)) offset = candidate.start;
    else break;
  }
  return offset;
}

/**
 * Parses one SQL expression with PostgreSQL's grammar. Returns the expression
 * node (locations relative to `text`) or the parser's error with its offset in
 * `text`. Anything that is not a single plain expression (`a FROM b`,
 * `1; DROP TABLE t`, `1 UNION SELECT 2`, `a AS b`) is an error too.
 */
export function parseExpression(text: string): ParsedExpression {
  assertReady();
  // `SELECT` with nothing after it is valid PostgreSQL (an empty target list), so check first.
  if (text.trim() === '') return { error: 'the expression is empty', offset: 0 };
  const sql = PREFIX + text;
  const toChar = byteToCharIndex(sql);
  const result = tryParse(sql);
  if ('message' in result) {
    const offset = Math.max(0, Math.min(text.length, toChar(errorByteOffset(sql, result.message)) - PREFIX.length));
    return { error: result.message.trim(), offset };
  }
  const stmts = result.tree.stmts ?? [];
  if (stmts.length !== 1) {
    const second = stmts[1]?.stmt_location ?? sql.length;
    return { error: 'only one expression is allowed, not several statements', offset: Math.max(0, toChar(second) - PREFIX.length - 1) };
  }
  const select = stmts[0].stmt.SelectStmt as Record<string, unknown> | undefined;
  if (!select || select.op !== 'SETOP_NONE') return { error: 'expected an expression, not a query', offset: 0 };
  for (const clause of ['fromClause', 'whereClause', 'groupClause', 'havingClause', 'sortClause', 'limitCount', 'limitOffset', 'windowClause', 'distinctClause', 'intoClause', 'withClause', 'lockingClause']) {
    if (select[clause] !== undefined) return { error: `expected an expression, not a query (it has a ${clause.replace(/Clause$|Count$|Offset$/, '').toUpperCase()} part)`, offset: 0 };
  }
  const targets = (select.targetList ?? []) as { ResTarget: { val: AstNode; name?: string; location: number } }[];
  if (targets.length === 0) return { error: 'the expression is empty', offset: 0 };
  if (targets.length !== 1) {
    const second = targets[1].ResTarget.location;
    return { error: 'expected one expression, found a comma-separated list', offset: Math.max(0, toChar(second) - PREFIX.length) };
  }
  if (targets[0].ResTarget.name !== undefined) return { error: 'an expression cannot have an alias (AS ...)', offset: 0 };
  const ast = targets[0].ResTarget.val;
  relocate(ast, toChar);
  return { ast };
}

// ---------------------------------------------------------------------------
// What an expression may refer to.

export interface ExpressionScope {
  /** Columns usable by bare name; null when unknown (e.g. the target entity is undefined): not checked. */
  readonly columns: readonly string[] | null;
  /** Fields usable as `transaction.<field>`; null when `transaction.` is not allowed at all. */
  readonly transactionFields: readonly string[] | null;
  /** Views must not depend on refresh time; workflows just get the allow-list. */
  readonly context: 'workflow' | 'view' | 'default';
}

export type ExpressionProblemKind =
  | 'subquery'
  | 'unknown_column'
  | 'unknown_transaction_field'
  | 'transaction_not_allowed'
  | 'bad_qualifier'
  | 'star'
  | 'function_not_allowed'
  | 'volatile'
  | 'aggregate'
  | 'parameter'
  | 'unsupported';

export interface ExpressionProblem {
  readonly kind: ExpressionProblemKind;
  /** Offset in the expression text. */
  readonly offset: number;
  /** The name involved (column, function, node type). */
  readonly name: string;
  readonly suggestion: string | null;
}

/** Functions an expression may call: pure arithmetic helpers the generator can inline. */
export const ALLOWED_FUNCTIONS = ['greatest', 'least', 'coalesce', 'nullif', 'round', 'abs', 'extract', 'date_part', 'date_trunc'] as const;

/** Functions whose result depends on when (or how often) they run. */
export const VOLATILE_FUNCTIONS = [
  'now', 'random', 'clock_timestamp', 'statement_timestamp', 'transaction_timestamp', 'timeofday',
  'gen_random_uuid', 'uuid_generate_v4', 'nextval', 'currval', 'setval', 'txid_current', 'pg_current_xact_id', 'setseed',
] as const;

/** Node types that are plain expression syntax (operators, CASE, casts, constants). */
const PLAIN_NODES = new Set([
  'A_Expr', 'BoolExpr', 'NullTest', 'BooleanTest', 'CaseExpr', 'CaseWhen', 'CoalesceExpr', 'MinMaxExpr', 'TypeCast',
  'TypeName', 'A_Const', 'String', 'Integer', 'Float', 'Boolean', 'List', 'NullIfExpr', 'A_ArrayExpr',
]);

const TIME_VALUE_FUNCTIONS: Record<string, string> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
};

const stringsOf = (list: unknown): string[] =>
  Array.isArray(list) ? list.map((item) => ((item as { String?: { sval?: string } }).String?.sval ?? '*')) : [];

/** Walks the tree and lists every reference or construct the scope does not allow, in text order. */
export function checkExpression(ast: AstNode, scope: ExpressionScope): ExpressionProblem[] {
  const problems: ExpressionProblem[] = [];
  const report = (kind: ExpressionProblemKind, offset: unknown, name: string, suggestion: string | null = null) =>
    problems.push({ kind, offset: typeof offset === 'number' ? offset : 0, name, suggestion });

  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const [type, body] of Object.entries(value as Record<string, unknown>)) {
      if (!/^[A-Z]/.test(type)) {
        visit(body); // a field holding nodes (args, lexpr, ...)
        continue;
      }
      const node = (body ?? {}) as Record<string, unknown>;
      const at = node.location;
      switch (type) {
        case 'ColumnRef': {
          const fields = node.fields as unknown[];
          if (fields.some((f) => (f as Record<string, unknown>).A_Star !== undefined)) {
            report('star', at, '*');
            break;
          }
          const names = stringsOf(fields);
          if (names.length === 1) {
            if (scope.columns && !scope.columns.includes(names[0])) {
              // A source field written without `transaction.` is the likeliest slip in a workflow.
              const viaTransaction = scope.transactionFields?.includes(names[0]) ? `transaction.${names[0]}` : null;
              report('unknown_column', at, names[0], viaTransaction ?? nearest(names[0], scope.columns));
            }
          } else if (names.length === 2 && names[0] === 'transaction') {
            if (scope.transactionFields === null) report('transaction_not_allowed', at, names.join('.'));
            else if (!scope.transactionFields.includes(names[1]))
              report('unknown_transaction_field', at, names[1], nearest(names[1], scope.transactionFields));
          } else {
            report('bad_qualifier', at, names.join('.'));
          }
          break;
        }
        case 'FuncCall': {
          const names = stringsOf(node.funcname);
          const name = names[names.length - 1]?.toLowerCase() ?? '';
          const qualifiedElsewhere = names.length > 1 && names[0] !== 'pg_catalog';
          if (node.agg_star || node.agg_distinct || node.over || node.agg_order || node.agg_filter) report('aggregate', at, name);
          else if ((VOLATILE_FUNCTIONS as readonly string[]).includes(name) && scope.context === 'view') report('volatile', at, `${name}()`);
          else if (qualifiedElsewhere || !(ALLOWED_FUNCTIONS as readonly string[]).includes(name)) report('function_not_allowed', at, names.join('.'), nearest(name, ALLOWED_FUNCTIONS));
          visit(node.args);
          break;
        }
        case 'SQLValueFunction': {
          const name = TIME_VALUE_FUNCTIONS[String(node.op)];
          if (name && scope.context === 'view') report('volatile', at, name);
          else report('function_not_allowed', at, name ?? String(node.op).replace(/^SVFOP_/, '').toLowerCase(), null);
          break;
        }
        case 'SubLink':
          report('subquery', at, 'subquery');
          break;
        case 'ParamRef':
          report('parameter', at, `$${String(node.number)}`);
          break;
        default:
          if (PLAIN_NODES.has(type)) visit(node);
          else report('unsupported', at, type);
      }
    }
  };
  visit(ast);
  return problems.sort((a, b) => a.offset - b.offset);
}

// ---------------------------------------------------------------------------
// Workflow conditions: `key = transaction.field [AND ...]`.

export interface KeyEquality {
  readonly column: string;
  readonly field: string;
  readonly offset: number;
}

export type ConditionShape = { ok: true; equalities: KeyEquality[] } | { ok: false; offset: number };

const columnRefNames = (node: unknown): string[] | null => {
  const ref = (node as { ColumnRef?: { fields: unknown[] } } | undefined)?.ColumnRef;
  return ref ? stringsOf(ref.fields) : null;
};

/** Splits a condition into `column = transaction.field` equalities; anything else is not the supported shape. */
export function conditionEqualities(ast: AstNode): ConditionShape {
  const conjuncts: AstNode[] = [];
  const flatten = (node: AstNode) => {
    const bool = node.BoolExpr as { boolop: string; args: AstNode[] } | undefined;
    if (bool && bool.boolop === 'AND_EXPR') bool.args.forEach(flatten);
    else conjuncts.push(node);
  };
  flatten(ast);
  const equalities: KeyEquality[] = [];
  for (const conjunct of conjuncts) {
    const expr = conjunct.A_Expr as { kind: string; name: unknown; lexpr: unknown; rexpr: unknown; location: number } | undefined;
    const firstLocation = (Object.values(conjunct)[0] as { location?: number } | undefined)?.location ?? 0;
    if (!expr || expr.kind !== 'AEXPR_OP' || stringsOf(expr.name).join('') !== '=') return { ok: false, offset: firstLocation };
    const left = columnRefNames(expr.lexpr);
    const right = columnRefNames(expr.rexpr);
    const location = ((expr.lexpr as { ColumnRef?: { location: number } }).ColumnRef?.location ?? expr.location);
    if (left?.length === 1 && right?.length === 2 && right[0] === 'transaction') equalities.push({ column: left[0], field: right[1], offset: location });
    else if (right?.length === 1 && left?.length === 2 && left[0] === 'transaction')
      equalities.push({ column: right[0], field: left[1], offset: (expr.rexpr as { ColumnRef: { location: number } }).ColumnRef.location });
    else return { ok: false, offset: location };
  }
  return { ok: true, equalities };
}
