/**
 * The allow-list every spec expression must pass (workflow assignments and
 * conditions, view columns and `where`, field defaults) before the deparser in
 * src/model/expression.ts may put it back out as SQL.
 *
 * An expression is PostgreSQL's own parse tree; it passes only if every node
 * is one of a few plain kinds, every function is a built-in from the list for
 * its context (unqualified or `pg_catalog.`), every operator is an unqualified
 * built-in symbol from a list, and every cast targets one of the spec's own
 * types. Anything else — subqueries, parameters, qualified functions or
 * operators (`OPERATOR(x.+)`), reg* casts, set-returning functions, aggregates,
 * row constructs — is a problem reported at its exact offset.
 *
 * Contexts differ only in what they may read and call:
 *  - default:  constants and functions; the clock, gen_random_uuid() and random();
 *              no column (PostgreSQL forbids it) and no row alias;
 *  - workflow: the target's columns and `<alias>.<field>` of the inserted row
 *              (the alias comes from the trigger); deterministic functions only;
 *  - view:     the entity's own columns; deterministic functions only (the view's
 *              contents must not depend on when it was refreshed).
 */
import type { ExpressionTree } from '../model/expression';
import { nearest } from './suggest';

export type ExpressionContext = 'workflow' | 'view' | 'default';

/** The inserted row a workflow step reads, as `<alias>.<field>`. */
export interface RowScope {
  /** `reading` for `trigger: reading_inserted` (see rowAliasOf). */
  readonly alias: string;
  readonly fields: readonly string[];
  /** The trigger as written, for messages. */
  readonly trigger: string;
}

export interface ExpressionScope {
  /** Columns usable by bare name; null when unknown (e.g. the target entity is undefined): not checked. */
  readonly columns: readonly string[] | null;
  /** The inserted row (workflows only); null: no qualified reference is allowed. */
  readonly row: RowScope | null;
  readonly context: ExpressionContext;
}

export type ExpressionProblemKind =
  | 'subquery'
  | 'unknown_column'
  | 'column_not_allowed'
  | 'unknown_row_field'
  | 'wrong_row_alias'
  | 'bad_qualifier'
  | 'star'
  | 'function_not_allowed'
  | 'function_qualified'
  | 'volatile'
  | 'aggregate'
  | 'set_returning'
  | 'operator_not_allowed'
  | 'operator_qualified'
  | 'cast_not_allowed'
  | 'parameter'
  | 'unsupported';

export interface ExpressionProblem {
  readonly kind: ExpressionProblemKind;
  /** Offset in the expression text. */
  readonly offset: number;
  /** The name involved (column, function, operator, type, node kind). */
  readonly name: string;
  readonly suggestion: string | null;
}

/** The workflow's row alias: the trigger's name without `_inserted` (`reading_inserted` → `reading`). */
export const rowAliasOf = (trigger: string): string => trigger.replace(/_inserted$/, '');

// ---------------------------------------------------------------------------
// The lists. Names are PostgreSQL's (lower case); every one is a built-in of
// pg_catalog on PostgreSQL 15–18, deterministic for its arguments (or, for the
// default context, reading only the clock or a random generator). Functions
// that touch files, sessions, other connections, catalogs, sequences, locks or
// settings (pg_read_file, pg_terminate_backend, dblink, lo_import, nextval,
// set_config, current_setting, pg_sleep, …) are never listed.

/** Deterministic functions, allowed in every context. */
export const PURE_FUNCTIONS = [
  // numbers
  'abs', 'round', 'trunc', 'ceil', 'ceiling', 'floor', 'sign', 'mod', 'div', 'power', 'sqrt', 'cbrt', 'exp', 'ln', 'log', 'log10',
  // text
  'lower', 'upper', 'initcap', 'length', 'char_length', 'character_length', 'octet_length', 'btrim', 'ltrim', 'rtrim',
  'substring', 'substr', 'left', 'right', 'replace', 'concat', 'concat_ws', 'strpos', 'position', 'split_part', 'starts_with', 'md5',
  // date and time
  'date_trunc', 'date_part', 'extract', 'timezone', 'make_date', 'make_time', 'make_interval', 'justify_days', 'justify_hours',
  'justify_interval', 'isfinite', 'to_char',
] as const;

/** The clock: allowed in defaults only (a view or a batched workflow would read it at the wrong time). */
export const CLOCK_FUNCTIONS = ['now', 'transaction_timestamp', 'statement_timestamp', 'clock_timestamp'] as const;

/** Allowed in defaults only: each call gives a new value. */
export const RANDOM_FUNCTIONS = ['gen_random_uuid', 'random'] as const;

/** SQL-standard time keywords (CURRENT_DATE, CURRENT_TIMESTAMP, …): the clock, defaults only. */
const CLOCK_KEYWORDS: Record<string, string> = {
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

/** What each context may call. */
export function allowedFunctions(context: ExpressionContext): readonly string[] {
  return context === 'default' ? [...PURE_FUNCTIONS, ...CLOCK_FUNCTIONS, ...RANDOM_FUNCTIONS] : PURE_FUNCTIONS;
}

/** Unqualified operator symbols (`OPERATOR(schema.op)` is refused, pg_catalog included: nothing needs it). */
export const ALLOWED_OPERATORS = ['+', '-', '*', '/', '%', '^', '=', '<>', '<', '>', '<=', '>=', '||', '->', '->>'] as const;

/** Symbols behind LIKE / ILIKE / NOT LIKE / NOT ILIKE. */
const LIKE_OPERATORS = ['~~', '!~~', '~~*', '!~~*'];

/**
 * Cast targets: the spec's own types, by the names the parser gives them
 * (`integer` → pg_catalog.int4, `timestamptz` → timestamptz, `decimal(10,2)` →
 * pg_catalog.numeric), unqualified or pg_catalog-qualified. Never a reg* type
 * (they look names up in the catalogs), never an array, never a user type.
 */
export const ALLOWED_CAST_TYPES = [
  'uuid', 'int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'text', 'varchar', 'bool', 'date', 'timestamp', 'timestamptz', 'interval', 'jsonb',
] as const;

/** Well-known names of aggregates and window functions, for a precise message (never allowed anyway). */
const AGGREGATES = new Set([
  'sum', 'count', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'bool_and', 'bool_or', 'every', 'json_agg', 'jsonb_agg',
  'json_object_agg', 'jsonb_object_agg', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'bit_and',
  'bit_or', 'bit_xor', 'xmlagg', 'corr', 'covar_pop', 'covar_samp', 'mode', 'percentile_cont', 'percentile_disc', 'range_agg',
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value',
]);

/** Well-known set-returning functions, for a precise message (never allowed anyway). */
const SET_RETURNING = new Set([
  'generate_series', 'generate_subscripts', 'unnest', 'json_array_elements', 'json_array_elements_text', 'jsonb_array_elements',
  'jsonb_array_elements_text', 'json_each', 'json_each_text', 'jsonb_each', 'jsonb_each_text', 'json_object_keys',
  'jsonb_object_keys', 'json_to_recordset', 'jsonb_to_recordset', 'json_populate_recordset', 'jsonb_populate_recordset',
  'jsonb_path_query', 'regexp_matches', 'regexp_split_to_table', 'string_to_table', 'pg_ls_dir', 'pg_options_to_table',
  'pg_get_keywords', 'pg_listening_channels', 'pg_stat_get_activity', 'pg_lock_status', 'ts_stat', 'ts_parse',
]);

/** Node kinds that are plain expression syntax and carry nothing to check themselves. */
const PLAIN_NODES = new Set(['BoolExpr', 'NullTest', 'BooleanTest', 'CaseExpr', 'CaseWhen', 'CoalesceExpr', 'MinMaxExpr']);

/** A_Expr kinds that are plain syntax over an allowed operator (IN, BETWEEN, LIKE, IS DISTINCT FROM, NULLIF). */
const PLAIN_A_EXPR_KINDS = new Set([
  'AEXPR_OP', 'AEXPR_DISTINCT', 'AEXPR_NOT_DISTINCT', 'AEXPR_NULLIF', 'AEXPR_IN', 'AEXPR_LIKE', 'AEXPR_ILIKE',
  'AEXPR_BETWEEN', 'AEXPR_NOT_BETWEEN', 'AEXPR_BETWEEN_SYM', 'AEXPR_NOT_BETWEEN_SYM',
]);

const stringsOf = (list: unknown): string[] =>
  Array.isArray(list) ? list.map((item) => ((item as { String?: { sval?: string } }).String?.sval ?? '*')) : [];

/** A name list without its `pg_catalog.` qualifier; `null` when qualified by another schema. */
function builtinName(names: readonly string[]): string | null {
  if (names.length === 1) return names[0]!.toLowerCase();
  if (names.length === 2 && names[0] === 'pg_catalog') return names[1]!.toLowerCase();
  return null;
}

/** Walks the tree and lists every reference or construct the scope does not allow, in text order. */
export function checkExpression(tree: ExpressionTree, scope: ExpressionScope): ExpressionProblem[] {
  const problems: ExpressionProblem[] = [];
  const report = (kind: ExpressionProblemKind, offset: unknown, name: string, suggestion: string | null = null) =>
    problems.push({ kind, offset: typeof offset === 'number' && offset >= 0 ? offset : 0, name, suggestion });
  const functions = allowedFunctions(scope.context);

  const columnRef = (node: Record<string, unknown>, at: unknown): void => {
    const fields = node['fields'] as unknown[];
    if (fields.some((f) => (f as Record<string, unknown>)['A_Star'] !== undefined)) {
      report('star', at, '*');
      return;
    }
    const names = stringsOf(fields);
    if (scope.context === 'default') {
      report('column_not_allowed', at, names.join('.'));
      return;
    }
    if (names.length === 1) {
      const [name] = names as [string];
      if (scope.columns && !scope.columns.includes(name)) {
        // A source field written without the row alias is the likeliest slip in a workflow.
        const viaRow = scope.row?.fields.includes(name) ? `${scope.row.alias}.${name}` : null;
        report('unknown_column', at, name, viaRow ?? nearest(name, scope.columns));
      }
      return;
    }
    if (names.length === 2 && scope.row) {
      const [qualifier, field] = names as [string, string];
      if (qualifier !== scope.row.alias) report('wrong_row_alias', at, `${qualifier}.${field}`, `${scope.row.alias}.${field}`);
      else if (!scope.row.fields.includes(field)) report('unknown_row_field', at, field, nearest(field, scope.row.fields));
      return;
    }
    report('bad_qualifier', at, names.join('.'));
  };

  const funcCall = (node: Record<string, unknown>, at: unknown): void => {
    const names = stringsOf(node['funcname']);
    const name = builtinName(names);
    const display = names.join('.');
    if (node['agg_star'] || node['agg_distinct'] || node['over'] || node['agg_order'] || node['agg_filter'] || node['agg_within_group']) {
      report('aggregate', at, display);
    } else if (name === null) {
      report('function_qualified', at, display);
    } else if (node['func_variadic']) {
      report('unsupported', at, 'VARIADIC');
    } else if (!functions.includes(name)) {
      if (AGGREGATES.has(name)) report('aggregate', at, name);
      else if (SET_RETURNING.has(name)) report('set_returning', at, name);
      else if ((CLOCK_FUNCTIONS as readonly string[]).includes(name) || (RANDOM_FUNCTIONS as readonly string[]).includes(name)) report('volatile', at, `${name}()`);
      else report('function_not_allowed', at, display, nearest(name, functions));
    }
    visit(node['args']);
  };

  const operator = (node: Record<string, unknown>, at: unknown): void => {
    const kind = String(node['kind']);
    const names = stringsOf(node['name']);
    if (!PLAIN_A_EXPR_KINDS.has(kind)) {
      report('unsupported', at, kind === 'AEXPR_SIMILAR' ? 'SIMILAR TO' : kind === 'AEXPR_OP_ANY' || kind === 'AEXPR_OP_ALL' ? 'ANY/ALL' : kind);
    } else if (names.length !== 1) {
      report('operator_qualified', at, `OPERATOR(${names.join('.')})`);
    } else {
      const symbol = names[0]!;
      const allowed = kind === 'AEXPR_LIKE' || kind === 'AEXPR_ILIKE' ? LIKE_OPERATORS.includes(symbol) : kind === 'AEXPR_OP' ? (ALLOWED_OPERATORS as readonly string[]).includes(symbol) : true;
      if (!allowed) report('operator_not_allowed', at, symbol);
    }
    visit(node['lexpr']);
    visit(node['rexpr']);
  };

  const typeCast = (node: Record<string, unknown>, at: unknown): void => {
    const typeName = (node['typeName'] ?? {}) as Record<string, unknown>;
    const names = stringsOf(typeName['names']);
    const name = builtinName(names);
    const castAt = typeof typeName['location'] === 'number' ? typeName['location'] : at;
    const typmods = (typeName['typmods'] ?? []) as Record<string, unknown>[];
    const plainTypmods = typmods.every((m) => typeof (m['A_Const'] as Record<string, unknown> | undefined)?.['ival'] === 'object');
    if (name === null || !(ALLOWED_CAST_TYPES as readonly string[]).includes(name) || typeName['arrayBounds'] || typeName['setof'] || typeName['pct_type'] || !plainTypmods) {
      report('cast_not_allowed', castAt, `${names.join('.')}${typeName['arrayBounds'] ? '[]' : ''}`, name ? nearest(name, ALLOWED_CAST_TYPES) : null);
    }
    visit(node['arg']);
  };

  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const [kind, body] of Object.entries(value as Record<string, unknown>)) {
      if (!/^[A-Z]/.test(kind)) {
        visit(body); // a field holding nodes (args, lexpr, ...)
        continue;
      }
      const node = (body ?? {}) as Record<string, unknown>;
      const at = node['location'];
      switch (kind) {
        case 'A_Const':
          if (node['bsval'] !== undefined) report('unsupported', at, 'bit-string constant');
          break;
        case 'ColumnRef':
          columnRef(node, at);
          break;
        case 'FuncCall':
          funcCall(node, at);
          break;
        case 'A_Expr':
          operator(node, at);
          break;
        case 'TypeCast':
          typeCast(node, at);
          break;
        case 'SQLValueFunction': {
          const clock = CLOCK_KEYWORDS[String(node['op'])];
          if (clock && scope.context === 'default') break;
          if (clock) report('volatile', at, clock);
          else report('function_not_allowed', at, String(node['op']).replace(/^SVFOP_/, '').toLowerCase(), null);
          break;
        }
        case 'List': // the right-hand side of IN (…)
          visit(node['items']);
          break;
        case 'SubLink':
          report('subquery', at, 'subquery');
          break;
        case 'ParamRef':
          report('parameter', at, `$${String(node['number'])}`);
          break;
        default:
          if (PLAIN_NODES.has(kind)) visit(node);
          else report('unsupported', at, kind);
      }
    }
  };
  visit(tree);
  return problems.sort((a, b) => a.offset - b.offset);
}

// ---------------------------------------------------------------------------
// Workflow conditions: `key = <alias>.field [AND ...]`.

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

/** Splits a condition into `column = <alias>.field` equalities; anything else is not the supported shape. */
export function conditionEqualities(tree: ExpressionTree, alias: string): ConditionShape {
  const conjuncts: ExpressionTree[] = [];
  const flatten = (node: ExpressionTree) => {
    const bool = node['BoolExpr'] as { boolop: string; args: ExpressionTree[] } | undefined;
    if (bool && bool.boolop === 'AND_EXPR') bool.args.forEach(flatten);
    else conjuncts.push(node);
  };
  flatten(tree);
  const equalities: KeyEquality[] = [];
  for (const conjunct of conjuncts) {
    const expr = conjunct['A_Expr'] as { kind: string; name: unknown; lexpr: unknown; rexpr: unknown; location: number } | undefined;
    const firstLocation = (Object.values(conjunct)[0] as { location?: number } | undefined)?.location ?? 0;
    if (!expr || expr.kind !== 'AEXPR_OP' || stringsOf(expr.name).join('') !== '=') return { ok: false, offset: firstLocation };
    const left = columnRefNames(expr.lexpr);
    const right = columnRefNames(expr.rexpr);
    const location = (expr.lexpr as { ColumnRef?: { location: number } }).ColumnRef?.location ?? expr.location;
    if (left?.length === 1 && right?.length === 2 && right[0] === alias) equalities.push({ column: left[0]!, field: right[1]!, offset: location });
    else if (right?.length === 1 && left?.length === 2 && left[0] === alias)
      equalities.push({ column: right[0]!, field: left[1]!, offset: (expr.rexpr as { ColumnRef: { location: number } }).ColumnRef.location });
    else return { ok: false, offset: location };
  }
  return { ok: true, equalities };
}
