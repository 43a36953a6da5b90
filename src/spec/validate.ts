/**
 * Checks over the whole spec set, after every entity is built
 * (./build-entity.ts): workflow steps against their target entities (which may
 * live in other files), and names that PostgreSQL would confuse. Only adds
 * diagnostics, so problems in every file are reported in one run.
 */
import type { SourcePosition } from '../diagnostics/diagnostic';
import { byteLength, MAX_IDENTIFIER_BYTES } from '../model/ident';
import { parseExpression } from '../model/expression';
import { entries, hintsMap, isMap, list, str, type EntityDraft, type Raw, type Report } from './build-support';
import { checkExpression, conditionEqualities, rowAliasOf, type ExpressionScope } from './expressions';
import { messages } from './messages';
import { nearest } from './suggest';
import { locate, positionOf, scalarPosition } from './yaml-source';

export { buildEntity } from './build-entity';
export type { EntityDraft } from './build-support';

/**
 * Workflow steps against their targets. Everything that needs only the source
 * entity (syntax, the allow-list, the row alias and its fields) was checked
 * while building it; here each expression's bare column names are checked
 * against the target's fields, and the condition against the target's key.
 */
function checkWorkflows(drafts: readonly EntityDraft[], report: Report): void {
  const byName = new Map(drafts.map((d) => [d.spec.entity, d.spec]));
  const entityNames = [...byName.keys()];
  for (const { spec, doc } of drafts) {
    const sourceFields = spec.fields.map((f) => f.name);
    list((doc.value as Raw).actions).forEach((item, i) => {
      if (!isMap(item) || item.pattern !== 'composite/workflow_orchestrator') return;
      const trigger = str(item.trigger);
      if (trigger === null || !/^[a-z][a-z0-9_]*_inserted$/.test(trigger)) return; // reported while building
      const row = { alias: rowAliasOf(trigger), fields: sourceFields, trigger };
      let targetsWithView = 0;
      list(item.workflow).forEach((s, j) => {
        if (!isMap(s)) return;
        const stepPath = ['actions', i, 'workflow', j];
        const targetName = str(s.entity);
        if (targetName === null) return;
        const target = byName.get(targetName) ?? null;
        if (!target) report(messages.unknownWorkflowEntity(positionOf(doc, [...stepPath, 'entity']), targetName, nearest(targetName, entityNames)));
        if (target?.materializedView) targetsWithView++;
        if (!target) return;
        const targetFields = target.fields.map((f) => f.name);
        const scope: ExpressionScope = { columns: targetFields, row, context: 'workflow' };
        const names = { alias: row.alias, trigger, source: spec.entity };
        /** Reports the target columns an expression names that the target lacks; true when it has none. */
        const columnsExist = (path: (string | number)[], text: string): boolean => {
          const parsed = parseExpression(text);
          if (!parsed.ok) return false; // reported while building
          const unknown = checkExpression(parsed.tree, scope).filter((p) => p.kind === 'unknown_column');
          const node = locate(doc, path).value;
          for (const problem of unknown) report(messages.expressionProblem(scalarPosition(doc, node, problem.offset), problem, 'workflow', targetName, names));
          return unknown.length === 0;
        };
        for (const [column, expression] of entries(s.fields)) {
          if (!targetFields.includes(column)) {
            report(messages.unknownAssignmentTarget(positionOf(doc, [...stepPath, 'fields', column], 'key'), column, targetName, nearest(column, targetFields)));
          }
          if (typeof expression === 'string') columnsExist([...stepPath, 'fields', column], expression);
        }
        const condition = str(s.condition);
        if (condition === null) return;
        const conditionPath = [...stepPath, 'condition'];
        const parsed = parseExpression(condition);
        if (!parsed.ok || checkExpression(parsed.tree, { ...scope, columns: null }).length > 0) return; // reported while building
        if (!columnsExist(conditionPath, condition)) return;
        const node = locate(doc, conditionPath).value;
        const shape = conditionEqualities(parsed.tree, row.alias);
        if (!shape.ok) {
          report(messages.conditionShape(scalarPosition(doc, node, shape.offset), row.alias));
          return;
        }
        const columns = shape.equalities.map((e) => e.column);
        const key = target.primaryKey;
        const sameSet = columns.length === key.length && new Set(columns).size === columns.length && key.every((k) => columns.includes(k));
        if (!sameSet) report(messages.conditionKey(scalarPosition(doc, node, shape.equalities[0]?.offset ?? 0), target.entity, columns, key));
      });
      const hints = hintsMap(item.performance_hints);
      if (hints.materialized_views === true && targetsWithView === 0) report(messages.materializedViewsHintUnused(positionOf(doc, ['actions', i, 'performance_hints'])));
    });
  }
}

/** Names PostgreSQL keeps in one namespace per schema (tables, indexes, views share pg_class). */
function checkNames(drafts: readonly EntityDraft[], report: Report): void {
  interface Named {
    name: string;
    kind: string;
    generated: boolean;
    at: SourcePosition;
  }
  const bySchema = new Map<string, Named[]>();
  const add = (schema: string, named: Named) => {
    if (!bySchema.has(schema)) bySchema.set(schema, []);
    bySchema.get(schema)!.push(named);
  };
  const seenEntities = new Map<string, SourcePosition>();
  for (const { spec, doc, tableGiven } of drafts) {
    const first = seenEntities.get(spec.entity);
    if (first) {
      report(messages.duplicateEntity(positionOf(doc, ['entity']), spec.entity, first));
      continue; // its names would only repeat the same problem
    }
    seenEntities.set(spec.entity, spec.at);
    add(spec.schema, { name: spec.table, kind: 'table', generated: !tableGiven, at: tableGiven ? positionOf(doc, ['table']) : positionOf(doc, ['entity']) });
    for (const index of spec.indexes) add(spec.schema, { name: index.name, kind: 'index', generated: false, at: index.at });
    if (spec.materializedView) add(spec.schema, { name: spec.materializedView.name, kind: 'materialized view', generated: false, at: positionOf(doc, ['materialized_view']) });
  }
  // One pass per schema with maps by name and by 63-byte prefix (a pairwise scan is quadratic in the names).
  const truncated = (n: string) => Buffer.from(n).subarray(0, MAX_IDENTIFIER_BYTES).toString();
  for (const [schema, names] of bySchema) {
    const byName = new Map<string, Named>();
    const byPrefix = new Map<string, Named[]>();
    for (const named of names) {
      const other = byName.get(named.name);
      if (other) {
        report(messages.duplicateName(named.at, named.kind, named.name, schema, `the ${other.kind} at ${other.at.file}:${other.at.line}`));
        continue;
      }
      byName.set(named.name, named);
      const prefix = truncated(named.name);
      const samePrefix = byPrefix.get(prefix) ?? [];
      const clash = byteLength(named.name) > MAX_IDENTIFIER_BYTES ? samePrefix.find((o) => named.generated || o.generated) : undefined;
      samePrefix.push(named);
      byPrefix.set(prefix, samePrefix);
      if (clash) report(messages.truncationClash(named.at, named.name, clash.name));
    }
  }
}

export function checkSpecSet(drafts: readonly EntityDraft[], report: Report): void {
  checkNames(drafts, report);
  checkWorkflows(drafts, report);
}
