/**
 * Checks over the whole spec set, after every entity is built
 * (./build-entity.ts): workflow steps against their target entities (which may
 * live in other files), and names that PostgreSQL would confuse. Only adds
 * diagnostics, so problems in every file are reported in one run.
 */
import type { Diagnostic, SourcePosition } from '../diagnostics/diagnostic';
import { byteLength, MAX_IDENTIFIER_BYTES } from '../model/ident';
import { entries, hintsMap, isMap, list, reportExpression, str, type EntityDraft, type Raw, type Report } from './build-support';
import { conditionEqualities, type ExpressionScope } from './expressions';
import { messages } from './messages';
import { nearest } from './suggest';
import { locate, positionOf, scalarPosition } from './yaml-source';

export { buildEntity } from './build-entity';
export type { EntityDraft } from './build-support';

function checkWorkflows(drafts: readonly EntityDraft[], report: Report): void {
  const byName = new Map(drafts.map((d) => [d.spec.entity, d.spec]));
  const entityNames = [...byName.keys()];
  for (const { spec, doc } of drafts) {
    const sourceFields = spec.fields.map((f) => f.name);
    list((doc.value as Raw).actions).forEach((item, i) => {
      if (!isMap(item) || item.pattern !== 'composite/workflow_orchestrator') return;
      let targetsWithView = 0;
      list(item.workflow).forEach((s, j) => {
        if (!isMap(s)) return;
        const stepPath = ['actions', i, 'workflow', j];
        const targetName = str(s.entity);
        if (targetName === null) return;
        const target = byName.get(targetName) ?? null;
        if (!target) report(messages.unknownWorkflowEntity(positionOf(doc, [...stepPath, 'entity']), targetName, nearest(targetName, entityNames)));
        if (target?.materializedView) targetsWithView++;
        const targetFields = target ? target.fields.map((f) => f.name) : null;
        const scope: ExpressionScope = { columns: targetFields, transactionFields: sourceFields, context: 'workflow' };
        const names = { entity: targetName, source: spec.entity };
        for (const [column, expression] of entries(s.fields)) {
          if (targetFields && !targetFields.includes(column)) {
            report(messages.unknownAssignmentTarget(positionOf(doc, [...stepPath, 'fields', column], 'key'), column, targetName, nearest(column, targetFields)));
          }
          if (typeof expression === 'string') reportExpression(doc, [...stepPath, 'fields', column], expression, scope, 'workflow', names, report);
        }
        const condition = str(s.condition);
        if (condition === null) return;
        const conditionPath = [...stepPath, 'condition'];
        const problemsBefore: Diagnostic[] = [];
        const ast = reportExpression(doc, conditionPath, condition, scope, 'workflow', names, (d) => {
          problemsBefore.push(d);
          report(d);
        });
        if (!ast || problemsBefore.length > 0 || !target) return;
        const node = locate(doc, conditionPath).value;
        const shape = conditionEqualities(ast);
        if (!shape.ok) {
          report(messages.conditionShape(scalarPosition(doc, node, shape.offset)));
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
  for (const [schema, names] of bySchema) {
    names.forEach((named, i) => {
      for (const other of names.slice(0, i)) {
        if (other.name === named.name) {
          report(messages.duplicateName(named.at, named.kind, named.name, schema, `the ${other.kind} at ${other.at.file}:${other.at.line}`));
          return;
        }
        const truncated = (n: string) => Buffer.from(n).subarray(0, MAX_IDENTIFIER_BYTES).toString();
        if ((named.generated || other.generated) && byteLength(named.name) > MAX_IDENTIFIER_BYTES && truncated(named.name) === truncated(other.name)) {
          report(messages.truncationClash(named.at, named.name, other.name));
          return;
        }
      }
    });
  }
}

export function checkSpecSet(drafts: readonly EntityDraft[], report: Report): void {
  checkNames(drafts, report);
  checkWorkflows(drafts, report);
}
