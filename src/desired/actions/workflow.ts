/**
 * composite/workflow_orchestrator → objects.
 *
 * async_execution: true
 *   <action>_queue             queue table (id identity PK, the source fields the steps read, queued_at)
 *   <action>_enqueue()         statement-level AFTER INSERT trigger function: copies the inserted rows
 *                              from the transition table into the queue, set-based
 *   <action>_on_insert         the trigger on the source table (REFERENCING NEW TABLE works on a
 *                              partitioned parent: rows routed to any partition are included)
 *   <action>_process(n)        takes up to n queue rows (FOR UPDATE SKIP LOCKED, by id), deletes them and
 *                              applies each step as aggregated upserts; returns how many rows it took
 * async_execution: false
 *   <action>_apply()           the same aggregated steps, run by the trigger over the transition table
 *
 * Every step runs as two statements (see stepSql): the exactness argument is in ./accumulators.ts.
 */
import { DiagnosticsError, type Diagnostic } from '../../diagnostics/diagnostic';
import type { EntitySpec, SpecSet, WorkflowAction } from '../../spec/model';
import { GENERATED_EXPRESSIONS, integerExpression } from '../../model/expression';
import { assertPlainIdentifier, qualify, quoteIdent, quoteLiteral } from '../../model/ident';
import type { ColumnDef, FunctionObject, TableObject, TriggerObject } from '../../model/objects';
import { notifyLines } from '../queue-drain';
import { AGGREGATE_ALIAS, analyseStep, BATCH_ALIAS, TARGET_ALIAS, type StepPlan } from './accumulators';
import {
  applyFunctionName,
  BULK_LOAD_SETTING,
  enqueueFunctionName,
  insertTriggerName,
  NEW_ROWS,
  processFunctionName,
  queuePrimaryKeyName,
  queueTableName,
} from './names';

export const SEARCH_PATH = 'pg_catalog, pg_temp';
export const DEFAULT_BATCH_SIZE = 10_000;

export interface WorkflowObjects {
  readonly queue: TableObject | null;
  readonly functions: readonly FunctionObject[];
  readonly trigger: TriggerObject;
  /** Source fields the queue carries (what a bulk function must enqueue). */
  readonly queueFields: readonly string[];
  readonly steps: readonly StepPlan[];
}

export interface WorkflowOptions {
  /** The entity also has a bulk function with disable_triggers that enqueues rows itself. */
  readonly bulkEnqueues: boolean;
}

/** Plans the steps (throws DiagnosticsError listing every problem). */
export function planWorkflow(entity: EntitySpec, action: WorkflowAction, specs: SpecSet): StepPlan[] {
  const diagnostics: Diagnostic[] = [];
  const plans: StepPlan[] = [];
  if (!/_inserted$/.test(action.trigger)) {
    diagnostics.push({
      code: 'workflow.trigger_event',
      severity: 'error',
      message: `workflow "${action.name}": trigger "${action.trigger}" is not supported; only "<name>_inserted" (AFTER INSERT) is`,
      at: action.at,
      subject: `actions.${action.name}.trigger`,
    });
  }
  for (const step of action.steps) {
    const target = specs.entities.find((e) => e.entity === step.entity);
    if (!target) {
      diagnostics.push({
        code: 'workflow.unknown_entity',
        severity: 'error',
        message: `step "${step.name}": no entity named ${step.entity} is loaded`,
        at: step.at,
        subject: `actions.${action.name}.workflow.${step.name}.entity`,
      });
      continue;
    }
    if (target.partitioning) {
      diagnostics.push({
        code: 'workflow.partitioned_target',
        severity: 'error',
        message: `step "${step.name}": target ${step.entity} is partitioned; workflow targets must be plain tables keyed by the condition`,
        at: step.at,
      });
      continue;
    }
    const result = analyseStep(action.name, step, { entity, alias: action.rowAlias }, target);
    diagnostics.push(...result.diagnostics);
    if (result.plan) plans.push(result.plan);
  }
  if (diagnostics.length) throw new DiagnosticsError(diagnostics);
  return plans;
}

export function workflowObjects(entity: EntitySpec, action: WorkflowAction, specs: SpecSet, options: WorkflowOptions): WorkflowObjects {
  const steps = planWorkflow(entity, action, specs);
  const read = new Set(steps.flatMap((s) => s.sourceFields));
  const queueFields = entity.fields.map((f) => f.name).filter((f) => read.has(f));
  const source = { schema: entity.schema, name: entity.table };
  const common = {
    kind: 'function' as const,
    schema: entity.schema,
    language: 'plpgsql' as const,
    volatility: 'volatile' as const,
    securityDefiner: true,
    searchPath: SEARCH_PATH,
    revokePublic: true,
  };

  if (!action.hints.asyncExecution) {
    const apply: FunctionObject = {
      ...common,
      name: applyFunctionName(action.name),
      args: [],
      returns: 'trigger',
      purpose: `workflow ${action.name}: aggregated metric updates, synchronous`,
      body: applyBody(steps, options.bulkEnqueues),
    };
    return {
      queue: null,
      functions: [apply],
      trigger: trigger(action.name, source, apply),
      queueFields: [],
      steps,
    };
  }

  const queue = queueTable(entity, action, queueFields);
  const enqueue: FunctionObject = {
    ...common,
    name: enqueueFunctionName(action.name),
    args: [],
    returns: 'trigger',
    purpose: `workflow ${action.name}: enqueue inserted rows`,
    body: enqueueBody(queue, queueFields, options.bulkEnqueues),
  };
  const processor: FunctionObject = {
    ...common,
    name: processFunctionName(action.name),
    // batch_updates: false asks for one queued row per call; the aggregation itself is
    // exact either way, so the hint only sets how much a call takes by default.
    args: [{ name: 'p_batch_size', type: 'integer', default: integerExpression(action.hints.batchUpdates ? DEFAULT_BATCH_SIZE : 1) }],
    returns: 'integer',
    purpose: `workflow ${action.name}: queue processor`,
    body: processBody(queue, steps),
  };
  return { queue, functions: [enqueue, processor], trigger: trigger(action.name, source, enqueue), queueFields, steps };
}

function queueTable(entity: EntitySpec, action: WorkflowAction, fields: readonly string[]): TableObject {
  const columns: ColumnDef[] = [
    { name: 'id', type: 'bigint', notNull: true, default: null, identity: true },
    ...fields.map((name) => ({ name, type: entity.fields.find((f) => f.name === name)!.type, notNull: false, default: null, identity: false })),
    { name: 'queued_at', type: 'timestamp with time zone', notNull: true, default: GENERATED_EXPRESSIONS.now, identity: false },
  ];
  return {
    kind: 'table',
    schema: entity.schema,
    name: queueTableName(action.name),
    columns,
    constraints: [{ name: queuePrimaryKeyName(action.name), kind: 'primary_key', columns: ['id'] }],
    partitionBy: null,
    entity: entity.entity,
    role: 'queue',
  };
}

function trigger(action: string, table: { schema: string; name: string }, fn: FunctionObject): TriggerObject {
  return {
    kind: 'trigger',
    name: insertTriggerName(action),
    table,
    timing: 'AFTER',
    events: ['INSERT'],
    level: 'STATEMENT',
    newTable: NEW_ROWS,
    function: { schema: fn.schema, name: fn.name },
  };
}

const list = (names: readonly string[]): string => names.map(quoteIdent).join(', ');
const indent = (text: string, by: string): string => text.split('\n').map((l) => (l ? by + l : l)).join('\n');

/** The INSERT that copies rows (from `fromSql`) into the queue: shared with the bulk function. */
export function enqueueInsertSql(queue: TableObject, fields: readonly string[], fromSql: string): string {
  return [`INSERT INTO ${qualify(queue.schema, queue.name)} (${list(fields)})`, `SELECT ${list(fields)}`, `FROM ${fromSql}`].join('\n');
}

function enqueueBody(queue: TableObject, fields: readonly string[], bulkEnqueues: boolean): string {
  const lines = ['BEGIN'];
  if (bulkEnqueues) {
    lines.push(
      `  -- The bulk function (disable_triggers hint) enqueues its rows itself, in the same statement,`,
      `  -- and marks that with a transaction-local setting it switches off again right after.`,
      `  IF current_setting(${quoteLiteral(BULK_LOAD_SETTING)}, true) = 'on' THEN`,
      '    RETURN NULL;',
      '  END IF;',
    );
  }
  lines.push(indent(enqueueInsertSql(queue, fields, NEW_ROWS), '  ') + ';');
  // issue 10 (specql worker): wake the worker once per inserting statement.
  lines.push(...notifyLines(queue, 'FOUND', '  '));
  lines.push('  RETURN NULL;', 'END;');
  return lines.join('\n');
}

function processBody(queue: TableObject, steps: readonly StepPlan[]): string {
  const q = qualify(queue.schema, queue.name);
  return [
    'DECLARE',
    `  v_rows ${q}[];`,
    'BEGIN',
    '  IF p_batch_size IS NULL OR p_batch_size < 1 THEN',
    `    RAISE EXCEPTION 'p_batch_size must be a positive integer, got %', p_batch_size USING ERRCODE = '22023';`,
    '  END IF;',
    '  -- Take the oldest rows nobody else holds (SKIP LOCKED: concurrent processors split the queue).',
    '  WITH taken AS (',
    `    DELETE FROM ${q} AS q`,
    '    WHERE q.id IN (',
    `      SELECT id FROM ${q}`,
    '      ORDER BY id',
    '      LIMIT p_batch_size',
    '      FOR UPDATE SKIP LOCKED',
    '    )',
    '    RETURNING q',
    '  )',
    '  SELECT array_agg(taken.q ORDER BY (taken.q).id) INTO v_rows FROM taken;',
    '  IF v_rows IS NULL THEN',
    '    RETURN 0;',
    '  END IF;',
    '',
    indent(steps.map((s) => stepSql(s, `unnest(v_rows) AS ${BATCH_ALIAS}`)).join('\n\n'), '  '),
    '',
    '  RETURN cardinality(v_rows);',
    'END;',
  ].join('\n');
}

function applyBody(steps: readonly StepPlan[], bulkEnqueues: boolean): string {
  return [
    'BEGIN',
    // Only while a switch from async to sync is applied can a bulk call still run the async
    // body it compiled before (src/plan/writers.ts): that body enqueues its rows itself and says
    // so with this setting; counting them here too would count them twice (the queue is drained
    // before it is dropped). The sync bulk function never sets it.
    ...(bulkEnqueues
      ? [`  IF current_setting(${quoteLiteral(BULK_LOAD_SETTING)}, true) = 'on' THEN`, '    RETURN NULL;', '  END IF;']
      : []),
    indent(steps.map((s) => stepSql(s, `${NEW_ROWS} AS ${BATCH_ALIAS}`)).join('\n\n'), '  '),
    '',
    '  RETURN NULL;',
    'END;',
  ].join('\n');
}

/**
 * One step over a batch of source rows. Both forms take the row locks in key order, so two
 * processors (or two inserting transactions in synchronous mode) cannot deadlock on metric rows.
 * Rows whose key is NULL are skipped: `key = NULL` matches nothing, so one by one they update nothing.
 */
export function stepSql(plan: StepPlan, fromSql: string): string {
  return plan.startsFromIdentity ? upsertStepSql(plan, fromSql) : insertThenUpdateStepSql(plan, fromSql);
}

function perKeyAggregatesSql(plan: StepPlan, fromSql: string, by: string): string {
  const select = [
    ...plan.keys.map((k) => `${k.sourceSql} AS ${quoteIdent(k.column)}`),
    ...plan.aggregates.map((g) => `${g.sql} AS ${quoteIdent(g.name)}`),
  ];
  return [
    `${by}SELECT ${select.join(`,\n${by}       `)}`,
    `${by}FROM ${fromSql}`,
    `${by}WHERE ${plan.keys.map((k) => `${k.sourceSql} IS NOT NULL`).join(' AND ')}`,
    `${by}GROUP BY ${plan.keys.map((_, i) => String(i + 1)).join(', ')}`,
  ].join('\n');
}

/** Generated comments name only identifiers that were validated as such (never expression text):
 *  `--` runs to the end of the line, so nothing in one may contain a line break. */
const stepComment = (plan: StepPlan, text: string): string =>
  `-- step ${assertPlainIdentifier(plan.step)}: ${text} ${assertPlainIdentifier(plan.target.schema)}.${assertPlainIdentifier(plan.target.table)}`;

const assignmentComment = (plan: StepPlan): string =>
  `-- ${plan.updates.map((u) => `${assertPlainIdentifier(u.column)}: ${u.shape}`).join(', ')}`;

/**
 * No accumulator column has a default, so a first-seen key's row is the identities (0, NULL)
 * with the batch applied: the INSERT computes exactly that, and for an existing key
 * ON CONFLICT DO UPDATE combines the old row with EXCLUDED (which holds those same per-key
 * aggregates). One statement, one index probe per key, rows locked in ORDER BY key order.
 */
function upsertStepSql(plan: StepPlan, fromSql: string): string {
  const target = qualify(plan.target.schema, plan.target.table);
  const keyColumns = plan.keys.map((k) => quoteIdent(k.column));
  return [
    stepComment(plan, 'one upsert per key of the batch, in key order, into'),
    assignmentComment(plan),
    `INSERT INTO ${target} AS ${TARGET_ALIAS} (${[...keyColumns, ...plan.updates.map((u) => quoteIdent(u.column))].join(', ')})`,
    `SELECT ${[...keyColumns.map((k) => `${AGGREGATE_ALIAS}.${k}`), ...plan.updates.map((u) => u.firstSeenSql)].join(',\n       ')}`,
    'FROM (',
    perKeyAggregatesSql(plan, fromSql, '  '),
    `) AS ${AGGREGATE_ALIAS}`,
    `ORDER BY ${keyColumns.map((k) => `${AGGREGATE_ALIAS}.${k}`).join(', ')}`,
    `ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE`,
    `SET ${plan.updates.map((u) => `${quoteIdent(u.column)} = ${u.onConflictSql}`).join(',\n    ')};`,
  ].join('\n');
}

/**
 * Some accumulator column has a default (a first-seen row starts there, not at the identity),
 * so the step runs as two statements:
 * 1. INSERT … ON CONFLICT DO UPDATE … WHERE false, in key order: creates the rows of first-seen
 *    keys (SUM columns without a default at 0, the rest at their defaults) and locks the existing
 *    ones — DO UPDATE locks conflicting rows even when its WHERE is false, and never writes them.
 *    One key-ordered pass matters: inserting new keys, then locking old ones in a second pass,
 *    lets two processors each hold a key the other needs next.
 * 2. UPDATE target FROM (per-key aggregates): every row is now there and locked.
 */
function insertThenUpdateStepSql(plan: StepPlan, fromSql: string): string {
  const target = qualify(plan.target.schema, plan.target.table);
  const keyColumns = plan.keys.map((k) => k.column);
  const insertColumns = [...keyColumns, ...plan.identityColumns];
  const position = plan.keys.map((_, i) => String(i + 1)).join(', ');
  const firstKey = quoteIdent(keyColumns[0]!);
  return [
    stepComment(plan, 'rows of first-seen keys, and a lock on every affected row, in key order, of'),
    `INSERT INTO ${target} AS ${TARGET_ALIAS} (${list(insertColumns)})`,
    `SELECT DISTINCT ${[...plan.keys.map((k) => k.sourceSql), ...plan.identityColumns.map(() => '0')].join(', ')}`,
    `FROM ${fromSql}`,
    `WHERE ${plan.keys.map((k) => `${k.sourceSql} IS NOT NULL`).join(' AND ')}`,
    `ORDER BY ${position}`,
    `ON CONFLICT (${list(keyColumns)}) DO UPDATE SET ${firstKey} = EXCLUDED.${firstKey} WHERE false;`,
    assignmentComment(plan),
    `UPDATE ${target} AS ${TARGET_ALIAS}`,
    `SET ${plan.updates.map((u) => `${quoteIdent(u.column)} = ${u.newValueSql}`).join(',\n    ')}`,
    'FROM (',
    perKeyAggregatesSql(plan, fromSql, '  '),
    `) AS ${AGGREGATE_ALIAS}`,
    `WHERE ${keyColumns.map((k) => `${TARGET_ALIAS}.${quoteIdent(k)} = ${AGGREGATE_ALIAS}.${quoteIdent(k)}`).join(' AND ')};`,
  ].join('\n');
}
