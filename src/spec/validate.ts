/**
 * Meaning checks and model building. `buildEntity` turns one structurally
 * checked document into an EntitySpec (skipping, not guessing, wherever a part
 * was already reported as malformed); `checkSpecSet` then runs the checks that
 * need every entity at once: workflow targets, expressions over them, and
 * identifier clashes. Both only *add* diagnostics, so every problem in every
 * file is reported in one run.
 */
import type { Diagnostic, SourcePosition } from '../diagnostics/diagnostic';
import { byteLength, MAX_IDENTIFIER_BYTES, snakeCase } from '../sql/ident';
import {
  checkExpression,
  conditionEqualities,
  parseExpression,
  type AstNode,
  type ExpressionScope,
} from './expressions';
import { messages, type ExpressionContext } from './messages';
import type {
  ActionSpec,
  EntitySpec,
  FieldSpec,
  IndexColumnSpec,
  IndexMethod,
  IndexSpec,
  MaterializedViewSpec,
  PartitionInterval,
  PartitioningSpec,
  WorkflowStep,
} from './model';
import { alignDown, isoDate, parseIsoDate, PARTITION_INTERVALS, retentionCount } from './partitioning';
import { refreshSchedule } from './refresh';
import { nearest } from './suggest';
import { isTemporal, normalizeType, TYPE_NAMES } from './types';
import { locate, positionOf, scalarPosition, type PathSegment, type SpecDocument } from './yaml-source';

type Raw = Record<string, unknown>;
type Report = (d: Diagnostic) => void;

const isMap = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const entries = (v: unknown): [string, unknown][] => (isMap(v) ? Object.entries(v) : []);

const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const INDEX_METHODS: readonly IndexMethod[] = ['btree', 'brin', 'hash', 'gist', 'gin'];

/** An entity plus what the set-wide checks need to point back into its document. */
export interface EntityDraft {
  readonly spec: EntitySpec;
  readonly doc: SpecDocument;
  /** Which identifiers were written by the user (too long → error) rather than generated. */
  readonly tableGiven: boolean;
}

/** Checks an expression against a scope; reports parse errors and scope problems at their exact column. */
export function reportExpression(
  doc: SpecDocument,
  path: readonly PathSegment[],
  text: string,
  scope: ExpressionScope | null,
  context: ExpressionContext,
  names: { entity: string; source: string | null },
  report: Report,
): AstNode | null {
  const node = locate(doc, path).value;
  const parsed = parseExpression(text);
  if ('error' in parsed) {
    report(messages.expressionSyntax(scalarPosition(doc, node, parsed.offset), parsed.error));
    return null;
  }
  if (scope) {
    for (const problem of checkExpression(parsed.ast, scope)) {
      report(messages.expressionProblem(scalarPosition(doc, node, problem.offset), problem, context, names.entity, names.source));
    }
  }
  return parsed.ast;
}

function checkIdentifier(doc: SpecDocument, path: readonly PathSegment[], part: 'key' | 'value', what: string, name: string, report: Report): void {
  const at = positionOf(doc, path, part);
  if (!SQL_IDENTIFIER.test(name)) report(messages.badIdentifier(at, what, name));
  else if (byteLength(name) > MAX_IDENTIFIER_BYTES) report(messages.nameTooLong(at, what, name, byteLength(name)));
}

// ---------------------------------------------------------------------------

function buildFields(doc: SpecDocument, raw: Raw, report: Report): FieldSpec[] {
  const fields: FieldSpec[] = [];
  for (const [name, value] of entries(raw.fields)) {
    const path = ['fields', name];
    checkIdentifier(doc, path, 'key', 'field name', name, report);
    const written = str(value) ?? (isMap(value) ? str(value.type) : null);
    if (written === null) continue; // shape error already reported
    const typePath = isMap(value) ? [...path, 'type'] : path;
    const normalized = normalizeType(written);
    if (!normalized.ok) {
      const at = positionOf(doc, typePath);
      if (normalized.problem === 'unknown') report(messages.unknownType(at, written, nearest(normalized.detail, TYPE_NAMES), TYPE_NAMES));
      else report(messages.badTypeModifier(at, written, normalized.detail));
    }
    let defaultSql: string | null = null;
    if (isMap(value) && value.default !== undefined && value.default !== null) {
      defaultSql = String(value.default).trim();
      // Defaults cannot reference columns (PostgreSQL forbids it); only their syntax is ours to check.
      reportExpression(doc, [...path, 'default'], defaultSql, null, 'default', { entity: '', source: null }, report);
    }
    fields.push({
      name,
      type: normalized.ok ? normalized.type : written,
      specType: written,
      notNull: isMap(value) ? bool(value.not_null, false) : false,
      default: defaultSql,
      at: positionOf(doc, path, 'key'),
    });
  }
  return fields;
}

function checkColumns(
  doc: SpecDocument,
  path: readonly PathSegment[],
  columns: readonly string[],
  fieldNames: readonly string[],
  entity: string,
  usedIn: string,
  report: Report,
): boolean {
  let ok = true;
  const seen = new Set<string>();
  columns.forEach((column, i) => {
    const at = positionOf(doc, [...path, i]);
    if (!fieldNames.includes(column)) {
      report(messages.unknownColumn(at, column, entity, usedIn, nearest(column, fieldNames)));
      ok = false;
    } else if (seen.has(column)) {
      report(messages.duplicateColumn(at, column, usedIn));
      ok = false;
    }
    seen.add(column);
  });
  return ok;
}

function buildIndexes(doc: SpecDocument, raw: Raw, entity: string, fieldNames: readonly string[], report: Report): IndexSpec[] {
  const indexes: IndexSpec[] = [];
  list(raw.indexes).forEach((item, i) => {
    if (!isMap(item)) return;
    const path = ['indexes', i];
    const name = str(item.name);
    if (name !== null) checkIdentifier(doc, [...path, 'name'], 'value', 'index name', name, report);
    const writtenType = str(item.type) ?? 'BTREE';
    const method = writtenType.toLowerCase() as IndexMethod;
    const methodKnown = INDEX_METHODS.includes(method);
    if (!methodKnown) report(messages.unknownIndexType(positionOf(doc, [...path, 'type']), writtenType, nearest(writtenType, INDEX_METHODS.map((m) => m.toUpperCase()))));
    const columns: IndexColumnSpec[] = [];
    list(item.columns).forEach((c, j) => {
      const text = str(c);
      if (text === null) return;
      const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(asc|desc))?\s*$/i.exec(text);
      if (!match) {
        report(messages.indexColumnSyntax(positionOf(doc, [...path, 'columns', j]), text));
        return;
      }
      columns.push({ column: match[1], descending: match[2]?.toLowerCase() === 'desc' });
      if (match[2] && methodKnown && method !== 'btree') report(messages.descendingNotBtree(positionOf(doc, [...path, 'columns', j]), name ?? '', method));
    });
    const written = list(item.columns).map((c) => str(c) ?? '');
    columns.forEach((c) => {
      const j = written.findIndex((w) => w.trim().split(/\s+/)[0] === c.column);
      if (!fieldNames.includes(c.column)) report(messages.unknownColumn(positionOf(doc, [...path, 'columns', j]), c.column, entity, `index \`${name ?? ''}\``, nearest(c.column, fieldNames)));
    });
    if (method === 'hash' && columns.length > 1) report(messages.hashMulticolumn(positionOf(doc, [...path, 'type']), name ?? '', columns.length));
    const unique = bool(item.unique, false);
    if (unique && methodKnown && method !== 'btree') report(messages.uniqueNotBtree(positionOf(doc, [...path, 'unique']), name ?? '', method));
    const pages = typeof item.pages_per_range === 'number' ? item.pages_per_range : null;
    if (pages !== null && methodKnown && method !== 'brin') report(messages.pagesPerRangeNotBrin(positionOf(doc, [...path, 'pages_per_range'], 'key'), name ?? ''));
    if (name === null) return;
    indexes.push({
      name,
      method: methodKnown ? method : 'btree',
      columns,
      unique,
      pagesPerRange: method === 'brin' ? (pages ?? 128) : null,
      at: positionOf(doc, path),
    });
  });
  return indexes;
}

function buildPartitioning(doc: SpecDocument, raw: Raw, fields: readonly FieldSpec[], schema: string, report: Report): PartitioningSpec | null {
  const p = raw.partitioning;
  if (!isMap(p)) return null;
  const strategy = str(p.strategy);
  if (strategy !== null && strategy.toLowerCase() !== 'range') report(messages.partitionStrategy(positionOf(doc, ['partitioning', 'strategy']), strategy));

  const column = str(p.column);
  if (column !== null) {
    const field = fields.find((f) => f.name === column);
    const at = positionOf(doc, ['partitioning', 'column']);
    if (!field) report(messages.unknownColumn(at, column, str(raw.entity) ?? 'the entity', 'partitioning', nearest(column, fields.map((f) => f.name))));
    else if (field.type === 'timestamp without time zone') report(messages.partitionTimestampWithoutZone(field.at, column));
    else if (!isTemporal(field.type) && normalizeType(field.specType).ok) report(messages.partitionColumnType(at, column, field.specType));
  }

  let interval: PartitionInterval | null = null;
  const intervals = list(p.intervals);
  if (Array.isArray(p.intervals)) {
    if (intervals.length !== 1) report(messages.partitionIntervals(positionOf(doc, ['partitioning', 'intervals']), intervals.length));
    intervals.forEach((value, i) => {
      const text = str(value);
      if (text === null) return;
      const known = PARTITION_INTERVALS.find((k) => k === text.toLowerCase());
      if (!known) report(messages.partitionUnknownInterval(positionOf(doc, ['partitioning', 'intervals', i]), text, nearest(text, PARTITION_INTERVALS)));
      else if (i === 0) interval = known;
    });
  }
  if (column === null || interval === null) return null;
  const chosen: PartitionInterval = interval;

  let start = isoDate(alignDown(new Date(), chosen));
  const writtenStart = str(p.start);
  if (writtenStart !== null) {
    const at = positionOf(doc, ['partitioning', 'start']);
    const date = parseIsoDate(writtenStart);
    if (!date) report(messages.partitionStart(at, writtenStart));
    else {
      const aligned = isoDate(alignDown(date, chosen));
      if (aligned !== writtenStart) report(messages.partitionStartUnaligned(at, writtenStart, chosen, aligned));
      start = writtenStart;
    }
  }

  let retention: number | null = null;
  const writtenRetention = str(p.retention);
  if (writtenRetention !== null) {
    const at = positionOf(doc, ['partitioning', 'retention']);
    const result = retentionCount(writtenRetention, chosen);
    if (result.ok) retention = result.count;
    else if (result.problem === 'format') report(messages.retentionFormat(at, writtenRetention));
    else report(messages.retentionInexact(at, writtenRetention, chosen));
  }

  const archiveSchema = str(p.archive_schema) ?? `${schema}_archive`;
  if (str(p.archive_schema) !== null) checkIdentifier(doc, ['partitioning', 'archive_schema'], 'value', 'archive schema', archiveSchema, report);

  return {
    strategy: 'range',
    column,
    interval: chosen,
    start,
    premake: typeof p.premake === 'number' ? p.premake : 3,
    retention,
    archiveSchema,
    defaultPartition: bool(p.default_partition, true),
    at: positionOf(doc, ['partitioning'], 'key'),
  };
}

/** `- hint: true` items or a `{ hint: true }` map → one flat map. */
function hintsMap(value: unknown): Raw {
  if (Array.isArray(value)) return Object.assign({}, ...value.filter(isMap));
  return isMap(value) ? value : {};
}

function buildActions(doc: SpecDocument, raw: Raw, report: Report): ActionSpec[] {
  const actions: ActionSpec[] = [];
  const names = new Set<string>();
  list(raw.actions).forEach((item, i) => {
    if (!isMap(item)) return;
    const path = ['actions', i];
    const name = str(item.name);
    if (name === null) return;
    checkIdentifier(doc, [...path, 'name'], 'value', 'action name', name, report);
    if (names.has(name)) report(messages.duplicateAction(positionOf(doc, [...path, 'name']), name));
    names.add(name);
    const hints = hintsMap(item.performance_hints);
    const at = positionOf(doc, path);
    if (item.pattern === 'batch/bulk_operation') {
      const batchField = str(item.batch_field);
      if (batchField !== null) checkIdentifier(doc, [...path, 'batch_field'], 'value', 'batch_field', batchField, report);
      if (item.operation !== 'insert' || batchField === null) return;
      actions.push({
        kind: 'bulk_operation',
        name,
        operation: 'insert',
        batchField,
        hints: {
          disableTriggers: bool(hints.disable_triggers, false),
          disableIndexes: bool(hints.disable_indexes, false),
          copyMode: bool(hints.copy_mode, false),
        },
        at,
      });
    } else if (item.pattern === 'composite/workflow_orchestrator') {
      const trigger = str(item.trigger);
      if (trigger !== null && !/^[a-z][a-z0-9_]*_inserted$/.test(trigger)) report(messages.triggerName(positionOf(doc, [...path, 'trigger']), trigger));
      const steps: WorkflowStep[] = [];
      list(item.workflow).forEach((s, j) => {
        if (!isMap(s)) return;
        const stepPath = [...path, 'workflow', j];
        const stepName = str(s.step);
        const entity = str(s.entity);
        const condition = str(s.condition);
        if (stepName === null || entity === null || condition === null || s.action !== 'update') return;
        steps.push({
          name: stepName,
          action: 'update',
          entity,
          assignments: entries(s.fields)
            .filter(([, e]) => typeof e === 'string')
            .map(([column, expression]) => ({ column, expression: (expression as string).trim(), at: positionOf(doc, [...stepPath, 'fields', column], 'key') })),
          condition: condition.trim(),
          at: positionOf(doc, stepPath),
        });
      });
      if (trigger === null) return;
      actions.push({
        kind: 'workflow',
        name,
        trigger,
        hints: {
          asyncExecution: bool(hints.async_execution, false),
          batchUpdates: bool(hints.batch_updates, false),
          materializedViews: bool(hints.materialized_views, false),
        },
        steps,
        at,
      });
    }
  });
  return actions;
}

function buildMaterializedView(doc: SpecDocument, raw: Raw, entity: string, fields: readonly FieldSpec[], primaryKey: readonly string[], report: Report): MaterializedViewSpec | null {
  const name = str(raw.materialized_view);
  const view = isMap(raw.view) ? raw.view : null;
  if (name === null) {
    for (const key of ['view', 'refresh_strategy', 'refresh_interval']) {
      if (raw[key] !== undefined) report(messages.viewWithoutName(positionOf(doc, [key], 'key')));
    }
    return null;
  }
  checkIdentifier(doc, ['materialized_view'], 'value', 'materialized view name', name, report);
  const at = positionOf(doc, ['materialized_view'], 'key');

  const refreshInterval = str(raw.refresh_interval);
  let refreshSeconds = 0;
  if (refreshInterval === null) {
    if (raw.refresh_interval === undefined) report(messages.refreshIntervalMissing(at));
  } else {
    const schedule = refreshSchedule(refreshInterval);
    if (schedule) refreshSeconds = schedule.seconds;
    else report(messages.refreshInterval(positionOf(doc, ['refresh_interval']), refreshInterval));
  }

  const fieldNames = fields.map((f) => f.name);
  const scope: ExpressionScope = { columns: fieldNames, transactionFields: null, context: 'view' };
  const columns = fields.map((f) => ({ name: f.name, expression: f.name }));
  for (const [column, expression] of entries(view?.columns)) {
    if (typeof expression !== 'string') continue;
    checkIdentifier(doc, ['view', 'columns', column], 'key', 'view column', column, report);
    reportExpression(doc, ['view', 'columns', column], expression, scope, 'view', { entity, source: null }, report);
    const existing = columns.find((c) => c.name === column);
    if (existing) existing.expression = expression.trim();
    else columns.push({ name: column, expression: expression.trim() });
  }
  const where = str(view?.where);
  if (where !== null) reportExpression(doc, ['view', 'where'], where, scope, 'view', { entity, source: null }, report);

  let uniqueKey: readonly string[] = primaryKey;
  if (Array.isArray(view?.key)) {
    const key = view.key.filter((k): k is string => typeof k === 'string');
    checkColumns(doc, ['view', 'key'], key, columns.map((c) => c.name), `${entity}'s view`, '`view.key`', report);
    uniqueKey = key;
  }
  const refreshStrategy = raw.refresh_strategy === 'blocking' ? 'blocking' : 'concurrent';
  if (refreshStrategy === 'concurrent' && uniqueKey.length === 0) report(messages.concurrentNeedsKey(at, name));

  return {
    name,
    refreshStrategy,
    refreshInterval: refreshInterval ?? '',
    refreshSeconds,
    columns,
    filter: where === null ? null : where.trim(),
    uniqueKey,
    at,
  };
}

export function buildEntity(doc: SpecDocument, report: Report): EntityDraft | null {
  const raw = doc.value;
  if (!isMap(raw)) return null; // reported by the shape check
  const entity = str(raw.entity);
  if (entity === null) return null;
  if (!/^[A-Z][A-Za-z0-9]*$/.test(entity)) report(messages.entityNameCase(positionOf(doc, ['entity']), entity));
  const schema = str(raw.schema) ?? 'public';
  if (str(raw.schema) !== null) checkIdentifier(doc, ['schema'], 'value', 'schema name', schema, report);
  const tableGiven = str(raw.table) !== null;
  const table = str(raw.table) ?? snakeCase(entity);
  if (tableGiven) checkIdentifier(doc, ['table'], 'value', 'table name', table, report);

  const fields = buildFields(doc, raw, report);
  const fieldNames = fields.map((f) => f.name);

  // Primary key: explicit, or the conventional first `id` / `*_id` field.
  let primaryKey: string[] = [];
  if (Array.isArray(raw.primary_key)) {
    const key = raw.primary_key.filter((k): k is string => typeof k === 'string');
    checkColumns(doc, ['primary_key'], key, fieldNames, entity, '`primary_key`', report);
    primaryKey = key.filter((k) => fieldNames.includes(k));
  } else if (fields.length > 0 && (fields[0].name === 'id' || fields[0].name.endsWith('_id'))) {
    primaryKey = [fields[0].name];
  }
  const ownKey = [...primaryKey];

  const partitioning = buildPartitioning(doc, raw, fields, schema, report);
  const partitionColumn = partitioning && fieldNames.includes(partitioning.column) ? partitioning.column : null;
  if (partitionColumn && !primaryKey.includes(partitionColumn)) primaryKey.push(partitionColumn);

  // Key and partition columns are NOT NULL; a lone uuid key gets a generated default.
  const finalFields = fields.map((field) => {
    const inKey = primaryKey.includes(field.name);
    if (!inKey) return field;
    const rawField = isMap(raw.fields) ? raw.fields[field.name] : undefined;
    if (isMap(rawField) && rawField.not_null === false) {
      report(messages.keyNullable(positionOf(doc, ['fields', field.name, 'not_null']), field.name, field.name === partitionColumn ? 'the partition column' : 'a primary key column'));
    }
    const generatedDefault = ownKey.length === 1 && ownKey[0] === field.name && field.type === 'uuid' && field.default === null;
    return { ...field, notNull: true, default: generatedDefault ? 'gen_random_uuid()' : field.default };
  });

  const indexes = buildIndexes(doc, raw, entity, fieldNames, report);
  const actions = buildActions(doc, raw, report);
  const materializedView = buildMaterializedView(doc, raw, entity, finalFields, primaryKey, report);

  const spec: EntitySpec = {
    entity,
    schema,
    table,
    description: str(raw.description),
    fields: finalFields,
    primaryKey,
    indexes,
    partitioning,
    actions,
    materializedView,
    at: positionOf(doc, ['entity'], 'key'),
  };
  return { spec, doc, tableGiven };
}

// ---------------------------------------------------------------------------
// Checks over the whole set.

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
