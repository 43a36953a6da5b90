/**
 * One document → one EntitySpec. Each section (fields, key, indexes,
 * partitioning, actions, view) is read defensively: a part the shape check
 * already reported is skipped, never guessed, and every further problem is
 * reported, so one run shows them all. Checks that need other entities
 * (workflow targets, name clashes) are in ./validate.ts.
 */
import { isScalar } from 'yaml';
import { columnExpressions, GENERATED_EXPRESSIONS, type SqlExpression } from '../model/expression';
import { snakeCase } from '../model/ident';
import {
  bool,
  checkColumns,
  checkIdentifier,
  entries,
  hintsMap,
  isMap,
  list,
  reportExpression,
  SQL_IDENTIFIER,
  str,
  type ExpressionNames,
  type EntityDraft,
  type Raw,
  type Report,
} from './build-support';
import { rowAliasOf, type ExpressionScope, type RowScope } from './expressions';
import { messages } from './messages';
import { buildViewCache } from './cache';
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
  WorkflowAssignment,
  WorkflowStep,
} from './model';
import { alignDown, isoDate, parseIsoDate, PARTITION_INTERVALS, retentionCount } from './partitioning';
import { refreshSchedule } from './refresh';
import { inRange, RANGES, TEXT_RANGES, MAX_ACTIONS, MAX_FIELDS, MAX_INDEXES, MAX_WORKFLOW_STEPS, POSTGRES_MAX_COLUMNS, POSTGRES_MAX_INDEX_COLUMNS } from './limits';
import { nearest } from './suggest';
import { buildVerify } from './verify-settings';
import { isTemporal, normalizeType, TYPE_NAMES } from './types';
import { locate, positionOf, type PathSegment, type SpecDocument } from './yaml-source';

const INDEX_METHODS: readonly IndexMethod[] = ['btree', 'brin', 'hash', 'gist', 'gin'];

const DEFAULT_SCOPE: ExpressionScope = { columns: [], row: null, context: 'default' };

/**
 * A field's default, checked like every other expression (context "default":
 * constants, the clock, gen_random_uuid(); no column, no subquery) and deparsed.
 * A number or boolean is read as written in the YAML source (`1.50` stays 1.50).
 * `NULL` is no default at all: PostgreSQL stores none for it either.
 */
function fieldDefault(doc: SpecDocument, path: readonly PathSegment[], report: Report): SqlExpression | null {
  const node = locate(doc, path).value;
  if (!isScalar(node)) return null; // shape error already reported
  const text = typeof node.value === 'string' ? node.value : (node.source ?? String(node.value));
  const checked = reportExpression(doc, path, text, DEFAULT_SCOPE, { entity: '', row: null }, report);
  if (!checked) return null;
  const constant = checked.tree['A_Const'] as { isnull?: boolean } | undefined;
  return constant?.isnull ? null : checked.sql;
}

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
    const defaultSql = isMap(value) && value.default !== undefined && value.default !== null ? fieldDefault(doc, [...path, 'default'], report) : null;
    fields.push({
      name,
      type: normalized.ok ? normalized.type : written,
      specType: written,
      notNull: isMap(value) ? bool(value.not_null, false) : false,
      default: defaultSql,
      at: positionOf(doc, path, 'key'),
    });
  }
  if (fields.length > MAX_FIELDS) {
    report(messages.tooMany(positionOf(doc, ['fields'], 'key'), 'fields', fields.length, MAX_FIELDS, `PostgreSQL allows ${POSTGRES_MAX_COLUMNS} columns per table, and a workflow's queue table adds 2 to the fields it copies`, 'split the entity into two, joined by its key'));
  }
  return fields;
}


function buildIndexes(doc: SpecDocument, raw: Raw, entity: string, fieldNames: readonly string[], partitionColumn: string | null, report: Report): IndexSpec[] {
  const indexes: IndexSpec[] = [];
  const known = new Set(fieldNames);
  const count = list(raw.indexes).length;
  if (count > MAX_INDEXES) report(messages.tooMany(positionOf(doc, ['indexes'], 'key'), 'indexes', count, MAX_INDEXES, 'every index slows every insert', 'drop the indexes no query needs'));
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
      if (!known.has(c.column)) report(messages.unknownColumn(positionOf(doc, [...path, 'columns', j]), c.column, entity, `index \`${name ?? ''}\``, nearest(c.column, fieldNames)));
    });
    if (method === 'hash' && columns.length > 1) report(messages.hashMulticolumn(positionOf(doc, [...path, 'type']), name ?? '', columns.length));
    const unique = bool(item.unique, false);
    if (unique && methodKnown && method !== 'btree') report(messages.uniqueNotBtree(positionOf(doc, [...path, 'unique']), name ?? '', method));
    // PostgreSQL refuses both when the index is created; say so now, at the index.
    if (columns.length > POSTGRES_MAX_INDEX_COLUMNS) {
      report(messages.tooMany(positionOf(doc, [...path, 'columns']), `columns in index \`${name ?? ''}\``, columns.length, POSTGRES_MAX_INDEX_COLUMNS, 'PostgreSQL allows 32 columns per index', 'index fewer columns'));
    }
    if (unique && partitionColumn !== null && known.has(partitionColumn) && !columns.some((c) => c.column === partitionColumn)) {
      report(messages.uniqueWithoutPartitionColumn(positionOf(doc, [...path, 'columns']), name ?? '', partitionColumn));
    }
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

  // Absent stays absent: the model never depends on the day it is loaded (the
  // generator resolves it from its `today` input, src/desired/build.ts).
  let start: string | null = null;
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
    if (result.ok && !inRange(result.count, TEXT_RANGES.retention_partitions)) report(messages.retentionRange(at, writtenRetention, result.count, chosen, TEXT_RANGES.retention_partitions.max));
    else if (result.ok) retention = result.count;
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
    premake: typeof p.premake === 'number' && inRange(p.premake, RANGES.premake) ? p.premake : 3,
    retention,
    archiveSchema,
    defaultPartition: bool(p.default_partition, true),
    at: positionOf(doc, ['partitioning'], 'key'),
  };
}

function buildActions(doc: SpecDocument, raw: Raw, entityName: string, sourceFields: readonly string[], report: Report): ActionSpec[] {
  const actions: ActionSpec[] = [];
  const names = new Set<string>();
  const count = list(raw.actions).length;
  if (count > MAX_ACTIONS) report(messages.tooMany(positionOf(doc, ['actions'], 'key'), 'actions', count, MAX_ACTIONS, 'each action is a function and a trigger on every insert', 'combine workflows that update the same entities'));
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
      const triggerOk = trigger !== null && /^[a-z][a-z0-9_]*_inserted$/.test(trigger);
      if (trigger !== null && !triggerOk) report(messages.triggerName(positionOf(doc, [...path, 'trigger']), trigger));
      // The inserted row is `<alias>.<field>`; its target columns are checked in ./validate.ts (they may live in other files).
      const row: RowScope | null = triggerOk ? { alias: rowAliasOf(trigger), fields: sourceFields, trigger } : null;
      const scope: ExpressionScope = { columns: null, row, context: 'workflow' };
      const messageNames: ExpressionNames = { entity: '', row: row && { alias: row.alias, trigger: row.trigger, source: entityName } };
      const steps: WorkflowStep[] = [];
      const stepNames = new Set<string>();
      const stepCount = list(item.workflow).length;
      if (stepCount > MAX_WORKFLOW_STEPS) report(messages.tooMany(positionOf(doc, [...path, 'workflow'], 'key'), `steps in workflow \`${name}\``, stepCount, MAX_WORKFLOW_STEPS, 'every step runs for every inserted row', 'split the workflow'));
      list(item.workflow).forEach((s, j) => {
        if (!isMap(s)) return;
        const stepPath = [...path, 'workflow', j];
        const stepName = str(s.step);
        if (stepName !== null) {
          checkIdentifier(doc, [...stepPath, 'step'], 'value', 'step name', stepName, report);
          if (stepNames.has(stepName)) report(messages.duplicateStep(positionOf(doc, [...stepPath, 'step']), stepName));
          stepNames.add(stepName);
        }
        const entity = str(s.entity);
        const conditionText = str(s.condition);
        const assignments: WorkflowAssignment[] = [];
        for (const [column, expression] of entries(s.fields)) {
          if (typeof expression !== 'string' || !row) continue;
          const checked = reportExpression(doc, [...stepPath, 'fields', column], expression, scope, messageNames, report);
          if (checked) assignments.push({ column, expression: checked.sql, at: positionOf(doc, [...stepPath, 'fields', column], 'key') });
        }
        const condition = conditionText !== null && row ? reportExpression(doc, [...stepPath, 'condition'], conditionText, scope, messageNames, report) : null;
        if (stepName === null || entity === null || condition === null || s.action !== 'update') return;
        steps.push({ name: stepName, action: 'update', entity, assignments, condition: condition.sql, at: positionOf(doc, stepPath) });
      });
      if (!row) return;
      actions.push({
        kind: 'workflow',
        name,
        trigger: row.trigger,
        rowAlias: row.alias,
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
  const scope: ExpressionScope = { columns: fieldNames, row: null, context: 'view' };
  const names: ExpressionNames = { entity, row: null };
  // Fields with invalid names were reported already and stay out of the view.
  const plainFields = fields.filter((f) => SQL_IDENTIFIER.test(f.name)).map((f) => f.name);
  const bare = columnExpressions(plainFields);
  const columns: { name: string; expression: SqlExpression }[] = plainFields.map((name, i) => ({ name, expression: bare[i]! }));
  const byName = new Map(columns.map((c) => [c.name, c]));
  for (const [column, expression] of entries(view?.columns)) {
    if (typeof expression !== 'string') continue;
    checkIdentifier(doc, ['view', 'columns', column], 'key', 'view column', column, report);
    const checked = reportExpression(doc, ['view', 'columns', column], expression, scope, names, report);
    if (!checked) continue;
    const existing = byName.get(column);
    if (existing) existing.expression = checked.sql;
    else {
      const added = { name: column, expression: checked.sql };
      columns.push(added);
      byName.set(column, added);
    }
  }
  if (columns.length > POSTGRES_MAX_COLUMNS) {
    report(messages.tooMany(positionOf(doc, ['view', 'columns'], 'key'), `columns in materialized view \`${name}\``, columns.length, POSTGRES_MAX_COLUMNS, 'PostgreSQL allows 1600 columns per materialized view (the fields plus `view.columns`)', 'add fewer view columns'));
  }
  const where = str(view?.where);
  const filter = where === null ? null : reportExpression(doc, ['view', 'where'], where, scope, names, report);

  let uniqueKey: readonly string[] = primaryKey;
  if (Array.isArray(view?.key)) {
    const key = view.key.filter((k): k is string => typeof k === 'string');
    checkColumns(doc, ['view', 'key'], key, columns.map((c) => c.name), `${entity}'s view`, '`view.key`', report);
    uniqueKey = key;
  }
  const refreshStrategy = raw.refresh_strategy === 'blocking' ? 'blocking' : 'concurrent';
  if (refreshStrategy === 'concurrent' && uniqueKey.length === 0) report(messages.concurrentNeedsKey(at, name));
  // issue 10: the Redis hot cache (./cache.ts).
  const cache = buildViewCache(doc, view?.cache, columns.map((c) => c.name), refreshSeconds, report);

  return {
    name,
    refreshStrategy,
    refreshInterval: refreshInterval ?? '',
    refreshSeconds,
    columns,
    filter: filter?.sql ?? null,
    uniqueKey,
    cache,
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
    return { ...field, notNull: true, default: generatedDefault ? GENERATED_EXPRESSIONS.randomUuid : field.default };
  });

  const indexes = buildIndexes(doc, raw, entity, fieldNames, partitionColumn, report);
  const actions = buildActions(doc, raw, entity, fieldNames, report);
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
    verify: buildVerify(doc, raw, report),
    at: positionOf(doc, ['entity'], 'key'),
  };
  return { spec, doc, tableGiven };
}
