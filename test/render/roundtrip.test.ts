/**
 * Round trip: for every expression in specs/ and the test fixtures, what the
 * generated SQL contains is PostgreSQL's deparse of its parse — never the text
 * as written. Expressions are collected from the YAML itself (not from the
 * model), so nothing can slip past the loader unseen.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { buildDesired } from '../../src/desired/build';
import { deparseExpression, deparseOperand, loadExpressionParser, parseExpression, type ExpressionTree } from '../../src/model/expression';
import { renderScript } from '../../src/plan/script';
import { loadSpecs } from '../../src/spec/load';
import { rowAliasOf } from '../../src/spec/expressions';
import type { SpecSet } from '../../src/spec/model';

beforeAll(() => loadExpressionParser());

type Raw = Record<string, unknown>;
interface Written {
  readonly entity: string;
  readonly kind: 'default' | 'view column' | 'where' | 'workflow field' | 'condition';
  readonly name: string;
  readonly text: string;
  /** Workflows: the row alias the expression uses. */
  readonly alias?: string;
}

/** Every expression written in the YAML files, by where it sits. */
function writtenExpressions(files: readonly string[]): Written[] {
  const out: Written[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'), { schema: 'core', uniqueKeys: false })) {
      const raw = doc.toJS() as Raw | null;
      if (!raw || typeof raw !== 'object') continue;
      const entity = String(raw['entity']);
      for (const [name, field] of Object.entries((raw['fields'] ?? {}) as Raw)) {
        const d = (field as Raw | null)?.['default'];
        if (d !== undefined && d !== null) out.push({ entity, kind: 'default', name, text: String(d) });
      }
      const view = (raw['view'] ?? {}) as Raw;
      for (const [name, text] of Object.entries((view['columns'] ?? {}) as Raw)) out.push({ entity, kind: 'view column', name, text: String(text) });
      if (typeof view['where'] === 'string') out.push({ entity, kind: 'where', name: 'where', text: view['where'] });
      for (const action of (raw['actions'] ?? []) as Raw[]) {
        const alias = rowAliasOf(String(action['trigger'] ?? ''));
        for (const step of (action['workflow'] ?? []) as Raw[]) {
          for (const [name, text] of Object.entries((step['fields'] ?? {}) as Raw)) out.push({ entity, kind: 'workflow field', name, text: String(text), alias });
          if (typeof step['condition'] === 'string') out.push({ entity, kind: 'condition', name: String(step['step']), text: step['condition'], alias });
        }
      }
    }
  }
  return out;
}

const treeOf = (text: string): ExpressionTree => {
  const parsed = parseExpression(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.error}`);
  return parsed.tree;
};

/** The model's copy of a written expression. */
function modelExpression(specs: SpecSet, w: Written): string | null {
  const entity = specs.entities.find((e) => e.entity === w.entity);
  if (!entity) return null;
  switch (w.kind) {
    case 'default':
      return entity.fields.find((f) => f.name === w.name)?.default ?? null;
    case 'view column':
      return entity.materializedView?.columns.find((c) => c.name === w.name)?.expression ?? null;
    case 'where':
      return entity.materializedView?.filter ?? null;
    case 'workflow field':
      return entity.actions.flatMap((a) => (a.kind === 'workflow' ? a.steps : [])).flatMap((s) => s.assignments).find((a) => a.column === w.name && a.expression !== undefined)?.expression ?? null;
    case 'condition':
      return entity.actions.flatMap((a) => (a.kind === 'workflow' ? a.steps : [])).find((s) => s.name === w.name)?.condition ?? null;
  }
}

/** The largest subtrees that read the inserted row and no target column, with `<alias>.x` as the batch's `t.x`. */
function rowTerms(tree: unknown, alias: string): ExpressionTree[] {
  const reads = (node: unknown): { row: boolean; column: boolean } => {
    if (Array.isArray(node)) return node.map(reads).reduce((a, b) => ({ row: a.row || b.row, column: a.column || b.column }), { row: false, column: false });
    if (!node || typeof node !== 'object') return { row: false, column: false };
    const ref = (node as { ColumnRef?: { fields: { String?: { sval: string } }[] } }).ColumnRef;
    if (ref) return ref.fields.length === 2 && ref.fields[0]!.String?.sval === alias ? { row: true, column: false } : { row: false, column: true };
    return reads(Object.values(node));
  };
  const toBatch = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(toBatch);
    if (!node || typeof node !== 'object') return node;
    const ref = (node as { ColumnRef?: { fields: { String?: { sval: string } }[] } }).ColumnRef;
    if (ref && ref.fields.length === 2 && ref.fields[0]!.String?.sval === alias) return { ColumnRef: { fields: [{ String: { sval: 't' } }, ref.fields[1]] } };
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, toBatch(v)]));
  };
  const out: ExpressionTree[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const r = reads(node);
    if (r.row && !r.column && /^[A-Z]/.test(Object.keys(node)[0] ?? '')) out.push(toBatch(node) as ExpressionTree);
    else Object.values(node).forEach(visit);
  };
  visit(tree);
  return out;
}

test('specs/: every expression reaches the SQL as deparse(parse(x)), and only so', async () => {
  const files = ['specs/performance_metrics.yaml', 'specs/sales_analytics.yaml'];
  const { specs, diagnostics } = await loadSpecs(files);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const sql = renderScript(buildDesired(specs, { today: '2024-03-15' }));
  const written = writtenExpressions(files);
  expect(written.length).toBeGreaterThanOrEqual(12);
  for (const w of written) {
    const tree = treeOf(w.text);
    const deparsed = w.kind === 'default' ? deparseOperand(tree) : deparseExpression(tree);
    expect([w.entity, w.name, modelExpression(specs, w)]).toEqual([w.entity, w.name, deparsed]);
    if (w.kind === 'view column') expect(sql).toContain(`${deparsed} AS ${w.name}`);
    else if (w.kind === 'where') expect(sql).toContain(`WHERE ${deparsed}`);
    else if (w.kind === 'default') expect(sql).toContain(`DEFAULT ${deparsed}`);
    else for (const term of rowTerms(tree, w.alias!)) expect([w.text, sql.includes(deparseExpression(term))]).toEqual([w.text, true]);
    // The text as written appears only where it is already the deparser's spelling.
    if (w.text.trim() !== deparsed) expect([w.text, sql.includes(w.text.trim())]).toEqual([w.text, false]);
  }
});

test('test/fixtures: the model keeps every expression as deparse(parse(x))', async () => {
  const files = ['test/fixtures/seed/performance_metrics.yaml', 'test/fixtures/seed/sales_analytics.yaml'];
  const { specs } = await loadSpecs(files);
  const written = writtenExpressions(files);
  expect(written.length).toBeGreaterThanOrEqual(10);
  for (const w of written) {
    const tree = treeOf(w.text);
    expect([w.entity, w.name, modelExpression(specs, w)]).toEqual([w.entity, w.name, w.kind === 'default' ? deparseOperand(tree) : deparseExpression(tree)]);
  }
});
