/**
 * Turns a workflow step (per-row `UPDATE target SET col = expr WHERE key = transaction.key`)
 * into aggregated batch updates that give exactly the result of applying the rows one by
 * one. Each assignment is analysed on PostgreSQL's own parse tree and must have one of
 * these shapes (T = target columns, E = expression over `transaction.*` and constants):
 *
 * (`transaction` stands for the workflow's row alias: the trigger's name without `_inserted`.)
 *
 *   col + E, E + col, col - E  →  col ± SUM(E), NULL if any E in the batch is NULL
 *                                  (sequentially one NULL makes the sum NULL for good)
 *   GREATEST(col, E…)          →  GREATEST(col, MAX(GREATEST(E…)))   (both ignore NULLs)
 *   LEAST(col, E…)             →  LEAST(col, MIN(LEAST(E…)))
 *   f(new values, constants)   →  a sub-expression equal to another assignment's expression
 *                                  is that column's NEW value; what remains must read no
 *                                  target column and no transaction field. Recomputed from
 *                                  the accumulated values (the last row decides it sequentially,
 *                                  and the last row sees exactly the accumulated values).
 *
 * Anything else (`col * E`, `col = E`, reading another column's old value) depends on the
 * order or the grouping of rows and is rejected with a `workflow.not_batchable` diagnostic.
 *
 * Known limit of exactness: a numeric target column rounds after every sequential update.
 * SUM(E) rounds once, which is identical whenever E has no more decimals than the column
 * (numeric(10,2) amounts into numeric(12,2) totals, integers into integers).
 */
import type { Diagnostic } from '../../diagnostics/diagnostic';
import type { EntitySpec, FieldSpec, WorkflowStep } from '../../spec/model';
import { fitIdentifier } from '../../model/ident';
import { PER_ROW_FUNCTIONS, deparseExpression, parseExpression, sameExpression, treeOf, type ExpressionTree, type SqlExpression } from '../../model/expression';

type PgNode = ExpressionTree;

/** Alias of the batch rows (queue rows or the trigger's transition table). */
export const BATCH_ALIAS = 't';
/** Alias of the target table in the UPDATE. */
export const TARGET_ALIAS = 'm';
/** Alias of the per-key aggregates. */
export const AGGREGATE_ALIAS = 'a';

export interface KeyBinding {
  readonly column: string;
  /** The value the condition compares the key with, over the batch alias `t` (deparsed). */
  readonly sourceSql: SqlExpression;
}

export interface ColumnUpdate {
  readonly column: string;
  readonly shape: 'sum' | 'greatest' | 'least' | 'derived';
  /** The new value over `m` (old target row) and `a` (aggregates). */
  readonly newValueSql: SqlExpression;
  /** The value of a first-seen key's row, started from the identities (0 / NULL), over `a`. */
  readonly firstSeenSql: SqlExpression;
  /** The new value in ON CONFLICT DO UPDATE, over `m` and `excluded` (= the first-seen values). */
  readonly onConflictSql: SqlExpression;
}

export interface AggregateColumn {
  readonly name: string;
  /** Aggregate over the batch alias `t` (deparsed). */
  readonly sql: SqlExpression;
}

export interface StepPlan {
  readonly step: string;
  readonly target: EntitySpec;
  readonly keys: readonly KeyBinding[];
  readonly aggregates: readonly AggregateColumn[];
  readonly updates: readonly ColumnUpdate[];
  /** Columns a first-seen key's row starts with when they have no default (SUM identity 0). */
  readonly identityColumns: readonly string[];
  /** No accumulator column has a default: a first-seen row starts from the identities, so
   *  one INSERT … ON CONFLICT DO UPDATE can apply the step (see workflow.ts stepSql). */
  readonly startsFromIdentity: boolean;
  /** Source fields the step reads (queue columns). */
  readonly sourceFields: readonly string[];
}

type Analysis =
  | { readonly shape: 'sum'; readonly operator: '+' | '-'; readonly term: PgNode }
  | { readonly shape: 'greatest' | 'least'; readonly term: PgNode }
  | { readonly shape: 'derived'; readonly tree: PgNode };

const AGGREGATE_FUNCTIONS = new Set([
  'sum', 'count', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'bool_and', 'bool_or', 'every',
  'jsonb_agg', 'json_agg', 'jsonb_object_agg', 'json_object_agg', 'stddev', 'variance',
]);

const column = (...fields: string[]): PgNode => ({ ColumnRef: { fields: fields.map((sval) => ({ String: { sval } })) } });

function columnRefFields(node: PgNode): string[] | null {
  const ref = node['ColumnRef'] as { fields: PgNode[] } | undefined;
  if (!ref) return null;
  const names: string[] = [];
  for (const f of ref.fields) {
    const s = f['String'] as { sval: string } | undefined;
    if (!s) return null; // A_Star
    names.push(s.sval);
  }
  return names;
}

/** Rewrites every ColumnRef with `map` (returning null keeps it). */
function mapColumns(node: unknown, map: (fields: string[]) => PgNode | null): unknown {
  if (Array.isArray(node)) return node.map((n) => mapColumns(n, map));
  if (node && typeof node === 'object') {
    const fields = columnRefFields(node as PgNode);
    if (fields) return map(fields) ?? node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = mapColumns(v, map);
    return out;
  }
  return node;
}

/** The entity whose inserted rows feed the workflow, and the alias its steps call a row by. */
export interface Source {
  readonly entity: EntitySpec;
  readonly alias: string;
}

interface References {
  readonly target: Set<string>;
  readonly source: Set<string>;
  readonly problems: string[];
}

/** Collects what an expression reads, and anything we refuse to batch inside it. */
function references(node: unknown, target: EntitySpec, source: Source, refs?: References): References {
  const r = refs ?? { target: new Set<string>(), source: new Set<string>(), problems: [] };
  if (Array.isArray(node)) {
    for (const n of node) references(n, target, source, r);
    return r;
  }
  if (!node || typeof node !== 'object') return r;
  const obj = node as PgNode;
  const fields = columnRefFields(obj);
  if (obj['ColumnRef']) {
    if (!fields) r.problems.push('`*` is not a value');
    else if (fields.length === 1 && hasField(target, fields[0]!)) r.target.add(fields[0]!);
    else if (fields.length === 2 && fields[0] === source.alias && hasField(source.entity, fields[1]!)) r.source.add(fields[1]!);
    else if (fields.length === 2 && fields[0] === source.alias) r.problems.push(`${source.entity.entity} has no field "${fields[1]}"`);
    else r.problems.push(`unknown reference "${fields.join('.')}" (use a ${target.entity} column or ${source.alias}.<field>)`);
    return r;
  }
  if (obj['SubLink']) r.problems.push('subqueries are not allowed');
  if (obj['ParamRef']) r.problems.push('parameters are not allowed');
  const call = obj['FuncCall'] as PgNode | undefined;
  if (call) {
    const name = ((call['funcname'] as PgNode[]).at(-1)!['String'] as { sval: string }).sval.toLowerCase();
    if (call['over']) r.problems.push(`window function ${name}() is not allowed`);
    else if (AGGREGATE_FUNCTIONS.has(name) || call['agg_star']) r.problems.push(`aggregate ${name}() is not allowed`);
    else if (PER_ROW_FUNCTIONS.has(name)) r.problems.push(`volatile function ${name}() gives different results per row`);
  }
  for (const v of Object.values(obj)) references(v, target, source, r);
  return r;
}

const hasField = (entity: EntitySpec, name: string): boolean => entity.fields.some((f) => f.name === name);

function operatorOf(node: PgNode): { op: string; lexpr: PgNode | undefined; rexpr: PgNode } | null {
  const e = node['A_Expr'] as PgNode | undefined;
  if (!e || e['kind'] !== 'AEXPR_OP') return null;
  const name = e['name'] as PgNode[];
  if (name.length !== 1) return null;
  return { op: (name[0]!['String'] as { sval: string }).sval, lexpr: e['lexpr'] as PgNode | undefined, rexpr: e['rexpr'] as PgNode };
}

const isColumn = (node: PgNode | undefined, name: string): boolean => {
  const f = node ? columnRefFields(node) : null;
  return !!f && f.length === 1 && f[0] === name;
};

/** Shapes that read the assigned column itself exactly once, at the top. */
function accumulatorShape(col: string, tree: PgNode, readsTarget: (n: PgNode) => boolean): Analysis | null {
  const op = operatorOf(tree);
  if (op && op.lexpr) {
    if (op.op === '+' && isColumn(op.lexpr, col) && !readsTarget(op.rexpr)) return { shape: 'sum', operator: '+', term: op.rexpr };
    if (op.op === '+' && isColumn(op.rexpr, col) && !readsTarget(op.lexpr)) return { shape: 'sum', operator: '+', term: op.lexpr };
    if (op.op === '-' && isColumn(op.lexpr, col) && !readsTarget(op.rexpr)) return { shape: 'sum', operator: '-', term: op.rexpr };
  }
  const minmax = tree['MinMaxExpr'] as { op: string; args: PgNode[] } | undefined;
  if (minmax) {
    const own = minmax.args.filter((a) => isColumn(a, col));
    const others = minmax.args.filter((a) => !isColumn(a, col));
    if (own.length === 1 && others.length >= 1 && !others.some(readsTarget)) {
      const term = others.length === 1 ? others[0]! : { MinMaxExpr: { op: minmax.op, args: others } };
      return { shape: minmax.op === 'IS_GREATEST' ? 'greatest' : 'least', term };
    }
  }
  return null;
}

const isNumericConstant = (node: PgNode): boolean => {
  const c = node['A_Const'] as PgNode | undefined;
  return !!c && (c['ival'] !== undefined || c['fval'] !== undefined) && !c['isnull'];
};

export interface StepAnalysis {
  readonly plan: StepPlan | null;
  readonly diagnostics: readonly Diagnostic[];
}

/** Analyses one workflow step; all problems are collected, none thrown. */
export function analyseStep(action: string, step: WorkflowStep, source: Source, target: EntitySpec): StepAnalysis {
  const diagnostics: Diagnostic[] = [];
  const subject = `actions.${action}.workflow.${step.name}`;
  const fail = (code: string, message: string, at = step.at, hint?: string): void => {
    diagnostics.push({ code, severity: 'error', message, at, subject, ...(hint ? { hint } : {}) });
  };
  const sourceFields = new Set<string>();

  // The condition: equalities between target key columns and expressions over the inserted row.
  const keys: KeyBinding[] = [];
  const conditionTree = parsedOrFail(step.condition, (message) => fail('workflow.condition_syntax', `step "${step.name}": condition does not parse: ${message}`));
  if (conditionTree) {
    const conjuncts: PgNode[] = [];
    const bool = conditionTree['BoolExpr'] as { boolop: string; args: PgNode[] } | undefined;
    if (bool && bool.boolop === 'AND_EXPR') conjuncts.push(...bool.args);
    else conjuncts.push(conditionTree);
    for (const c of conjuncts) {
      const op = operatorOf(c);
      let keyColumn: string | null = null;
      let other: PgNode | null = null;
      if (op && op.op === '=' && op.lexpr) {
        const l = columnRefFields(op.lexpr);
        const r = columnRefFields(op.rexpr);
        if (l && l.length === 1 && hasField(target, l[0]!)) [keyColumn, other] = [l[0]!, op.rexpr];
        else if (r && r.length === 1 && hasField(target, r[0]!)) [keyColumn, other] = [r[0]!, op.lexpr];
      }
      const refs = other ? references(other, target, source) : null;
      if (!keyColumn || !other || !refs || refs.target.size > 0 || refs.problems.length > 0 || refs.source.size === 0) {
        fail(
          'workflow.condition_shape',
          `step "${step.name}": condition must be \`<${target.entity} key column> = ${source.alias}.<field>\` joined by AND; ` +
            `cannot use \`${deparseExpression(c)}\`${refs?.problems.length ? ` (${refs.problems.join('; ')})` : ''}`,
        );
        continue;
      }
      refs.source.forEach((f) => sourceFields.add(f));
      keys.push({ column: keyColumn, sourceSql: deparseExpression(overBatch(other, source.alias)) });
    }
    const keyColumns = keys.map((k) => k.column).sort();
    const pk = [...target.primaryKey].sort();
    const uniqueMatch =
      JSON.stringify(pk) === JSON.stringify(keyColumns) ||
      target.indexes.some((i) => i.unique && JSON.stringify(i.columns.map((c) => c.column).sort()) === JSON.stringify(keyColumns));
    if (keys.length > 0 && keys.length === conjuncts.length && !uniqueMatch) {
      fail(
        'workflow.condition_not_key',
        `step "${step.name}": condition columns (${keyColumns.join(', ')}) are not the primary key or a unique index of ${target.entity} ` +
          `(primary key: ${target.primaryKey.join(', ') || 'none'}), so a missing row cannot be created exactly once`,
      );
    }
  }

  // The assignments.
  if (step.assignments.length === 0) fail('workflow.no_assignments', `step "${step.name}": no fields to update`);
  const trees = new Map<string, PgNode>();
  for (const a of step.assignments) {
    if (!hasField(target, a.column)) {
      fail('workflow.unknown_column', `step "${step.name}": ${target.entity} has no column "${a.column}"`, a.at);
      continue;
    }
    if (keys.some((k) => k.column === a.column)) {
      fail('workflow.assigns_key', `step "${step.name}": "${a.column}" is the key the condition matches on; it cannot be assigned`, a.at);
      continue;
    }
    const tree = parsedOrFail(a.expression, (message) => fail('workflow.expression_syntax', `step "${step.name}": ${a.column}: ${message}`, a.at));
    if (tree) trees.set(a.column, tree);
  }

  const readsTarget = (n: PgNode): boolean => references(n, target, source).target.size > 0;
  const analyses = new Map<string, Analysis>();
  const rejected = new Set<string>();
  for (const a of step.assignments) {
    const tree = trees.get(a.column);
    if (!tree) continue;
    const refs = references(tree, target, source);
    if (refs.problems.length) {
      fail('workflow.expression_reference', `step "${step.name}": ${a.column} = ${a.expression}: ${refs.problems.join('; ')}`, a.at);
      rejected.add(a.column);
      continue;
    }
    refs.source.forEach((f) => sourceFields.add(f));
    const shape = accumulatorShape(a.column, tree, readsTarget);
    if (shape) analyses.set(a.column, shape);
  }
  // Derived assignments: substitute other assignments' expressions by their NEW values.
  for (const a of step.assignments) {
    const tree = trees.get(a.column);
    if (!tree || analyses.has(a.column) || rejected.has(a.column)) continue;
    const substituted = substituteNewValues(tree, step, trees, analyses, a.column);
    const refs = references(substituted, target, source);
    // Reads only new values and constants (a constant alone included: every touched row gets it).
    if (refs.target.size === 0 && refs.source.size === 0) {
      analyses.set(a.column, { shape: 'derived', tree: substituted });
      continue;
    }
    const why =
      refs.source.size > 0 && refs.target.size === 0
        ? 'it reads transaction fields outside an accumulator, so its value depends on which row comes last'
        : refs.target.size > 0
          ? `it reads ${[...refs.target].map((c) => `"${c}"`).join(', ')} outside the shapes \`col + E\`, \`col - E\`, \`GREATEST(col, E)\`, \`LEAST(col, E)\`, ` +
            'so applying a batch at once would differ from applying its rows one by one'
          : 'it cannot be analysed';
    fail(
      'workflow.not_batchable',
      `step "${step.name}": ${target.entity}.${a.column} = ${a.expression} cannot be batched exactly: ${why}`,
      a.at,
      `use an accumulator (\`col + ${source.alias}.x\`, \`GREATEST(col, ${source.alias}.x)\`) or an expression of other assignments' expressions, ` +
        `e.g. \`(total + ${source.alias}.amount) / (orders + 1)\``,
    );
  }

  if (diagnostics.length) return { plan: null, diagnostics };

  // Aggregates, and each column's new value in the three forms the SQL needs.
  const aggregates: AggregateColumn[] = [];
  const updates: ColumnUpdate[] = [];
  const identityColumns: string[] = [];
  const viaAggregates = new Map<string, PgNode>();
  const firstSeen = new Map<string, PgNode>();
  const onConflict = new Map<string, PgNode>();
  let startsFromIdentity = true;
  const operator = (op: string, lexpr: PgNode, rexpr: PgNode): PgNode => ({ A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: op } }], lexpr, rexpr } });
  const zero: PgNode = { A_Const: { ival: {} } };
  for (const a of step.assignments) {
    const analysis = analyses.get(a.column)!;
    if (analysis.shape === 'derived') continue;
    if (fieldOf(target, a.column).default !== null) startsFromIdentity = false;
    const term = overBatch(analysis.term, source.alias);
    if (analysis.shape === 'sum') {
      const name = fitIdentifier(`sum_${a.column}`);
      const sum = isNumericConstant(analysis.term) ? template('__term__ * count(*)', term) : template('CASE WHEN count(*) = count(__term__) THEN sum(__term__) END', term);
      aggregates.push({ name, sql: deparseExpression(sum) });
      viaAggregates.set(a.column, operator(analysis.operator, column(TARGET_ALIAS, a.column), column(AGGREGATE_ALIAS, name)));
      // From the identity 0: 0 + S is S, 0 - S is kept literally; the inserted value is then
      // exactly what one more sequential update would add (or subtract, already negated).
      firstSeen.set(a.column, analysis.operator === '+' ? column(AGGREGATE_ALIAS, name) : operator('-', zero, column(AGGREGATE_ALIAS, name)));
      onConflict.set(a.column, operator('+', column(TARGET_ALIAS, a.column), column('excluded', a.column)));
      if (fieldOf(target, a.column).default === null) identityColumns.push(a.column);
    } else {
      const greatest = analysis.shape === 'greatest';
      const name = fitIdentifier(`${greatest ? 'max' : 'min'}_${a.column}`);
      const op = greatest ? 'IS_GREATEST' : 'IS_LEAST';
      aggregates.push({ name, sql: deparseExpression(template(greatest ? 'max(__term__)' : 'min(__term__)', term)) });
      viaAggregates.set(a.column, { MinMaxExpr: { op, args: [column(TARGET_ALIAS, a.column), column(AGGREGATE_ALIAS, name)] } });
      firstSeen.set(a.column, column(AGGREGATE_ALIAS, name)); // GREATEST(NULL, x) is x
      onConflict.set(a.column, { MinMaxExpr: { op, args: [column(TARGET_ALIAS, a.column), column('excluded', a.column)] } });
    }
  }
  const render = (col: string, values: ReadonlyMap<string, PgNode>): SqlExpression => {
    const analysis = analyses.get(col)!;
    const tree =
      analysis.shape === 'derived'
        ? (mapColumns(analysis.tree, (f) => (f.length === 2 && f[0] === NEW_MARKER ? values.get(f[1]!)! : null)) as PgNode)
        : values.get(col)!;
    return deparseExpression(tree);
  };
  for (const a of step.assignments) {
    updates.push({
      column: a.column,
      shape: analyses.get(a.column)!.shape,
      newValueSql: render(a.column, viaAggregates),
      firstSeenSql: render(a.column, firstSeen),
      onConflictSql: render(a.column, onConflict),
    });
  }
  const clash = aggregates.find((g) => keys.some((k) => k.column === g.name));
  if (clash) {
    return {
      plan: null,
      diagnostics: [{ code: 'workflow.name_clash', severity: 'error', message: `step "${step.name}": key column "${clash.name}" clashes with a generated aggregate name`, at: step.at, subject }],
    };
  }
  return {
    plan: {
      step: step.name,
      target,
      keys,
      aggregates,
      updates,
      identityColumns,
      startsFromIdentity,
      sourceFields: source.entity.fields.map((f) => f.name).filter((f) => sourceFields.has(f)),
    },
    diagnostics,
  };
}

const NEW_MARKER = '__new_value__';

/** Replaces sub-expressions equal to another accumulator assignment's expression by a marker for its new value. */
function substituteNewValues(
  tree: PgNode,
  step: WorkflowStep,
  trees: ReadonlyMap<string, PgNode>,
  analyses: ReadonlyMap<string, Analysis>,
  self: string,
): PgNode {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!node || typeof node !== 'object') return node;
    for (const a of step.assignments) {
      if (a.column === self || !analyses.has(a.column)) continue;
      const other = trees.get(a.column);
      if (other && sameExpression(node as PgNode, other)) return column(NEW_MARKER, a.column);
    }
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = visit(v);
      if (out[k] !== v) changed = true;
    }
    return changed ? out : node;
  };
  return visit(tree) as PgNode;
}

/** `<alias>.x` (the inserted row) → `t.x` (the batch rows). */
function overBatch(node: PgNode, alias: string): PgNode {
  return mapColumns(node, (f) => (f.length === 2 && f[0] === alias ? column(BATCH_ALIAS, f[1]!) : null)) as PgNode;
}

/** A tree from SQL written here, with the placeholder column `__term__` replaced by `term`
 *  (a subtree, inserted whole: nothing inside it is substituted again). */
function template(sql: string, term: PgNode): PgNode {
  const parsed = parseExpression(sql);
  if (!parsed.ok) throw new Error(`aggregate template does not parse: ${sql}`);
  return mapColumns(parsed.tree, (f) => (f.length === 1 && f[0] === '__term__' ? term : null)) as PgNode;
}

/** The spec's checked expression as a tree (deparser output always parses). */
function parsedOrFail(expression: SqlExpression, fail: (message: string) => void): PgNode | null {
  try {
    return treeOf(expression);
  } catch (err) {
    fail((err as Error).message);
    return null;
  }
}

function fieldOf(entity: EntitySpec, name: string): FieldSpec {
  const f = entity.fields.find((x) => x.name === name);
  if (!f) throw new Error(`${entity.entity} has no field ${name}`);
  return f;
}
