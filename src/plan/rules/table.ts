/**
 * Tables: create, online column changes, drops.
 *  - a nullable column (or one with a non-volatile default) is added instantly
 *    (PG 11+ stores the default in the catalog); a volatile default rewrites;
 *  - NOT NULL on an existing column: CHECK (col IS NOT NULL) NOT VALID, then
 *    VALIDATE (SHARE UPDATE EXCLUSIVE: writers keep going), then SET NOT NULL,
 *    which PG 12+ proves from the validated check without a scan, then drop the check;
 *  - type changes (render/column-types.ts): binary-compatible widening is a
 *    catalog change; an exact conversion rewrites the table (rewrites_table,
 *    refused by default); a lossy one (narrowing, rounding, cutting) also
 *    carries deletes_data with the number of current rows it would change,
 *    counted at plan time by the engine (ctx.lossChecks → catalog/rows.ts);
 *  - a column that left the spec is dropped (deletes_data) only if specql
 *    created it (listed in the table's marker); one added by hand is reported.
 */
import { defaultFormKey } from '../../catalog/defaults';
import { lossCheckKey } from '../../catalog/types';
import { classifyTypeChange } from '../../render/column-types';
import { canonicalDefault } from '../../catalog/normalize';
import type { ColumnDef, ConstraintDef, PartitionObject, TableObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { callsPerRowFunction } from '../../model/expression';
import type { PlanStep } from '../../model/step';
import {
  addColumn,
  addConstraint,
  alterColumnType,
  createTable,
  dropColumn,
  dropColumnNotNull,
  setColumnDefault,
  setColumnNotNull,
  setPartitionColumnDefault,
} from '../../render/tables';
import type { PlanContext } from '../context';
import { markerStep } from '../markers';
import { Phase } from '../order';
import { aroundDependentViews } from './dependents';


export function planTable(ctx: PlanContext, desired: TableObject): void {
  const key = objectKey(desired);
  const live = ctx.liveByKey.get(key);
  if (!live || live.kind !== 'table') {
    ctx.emit(Phase.Tables, createTable(desired));
    const marker = markerStep(ctx, desired, { fresh: true, createdWith: [desired] });
    if (marker) ctx.emit(Phase.Tables, marker);
    return;
  }
  const group = `${key}:columns`;
  const emit = (step: PlanStep): void => ctx.emit(Phase.Tables, step.group ? step : { ...step, group });

  if (JSON.stringify(live.partitionBy) !== JSON.stringify(desired.partitionBy)) {
    ctx.diagnose({
      code: 'plan.partitioning_changed',
      severity: 'error',
      subject: key,
      message: `${desired.schema}.${desired.name}: partitioning differs (live ${describePartitioning(live)}, spec ${describePartitioning(desired)}); PostgreSQL cannot change it in place`,
      hint: 'create a new entity (table) and copy the rows, or drop the table explicitly',
    });
    return;
  }

  const managed = new Set((ctx.live.markers.get(key)?.fields.columns ?? '').split(',').filter(Boolean));
  const liveCols = new Map(live.columns.map((c) => [c.name, c]));
  const desiredCols = new Set(desired.columns.map((c) => c.name));
  const mayHoldRows = estimateRows(ctx, key);

  for (const [position, col] of desired.columns.entries()) {
    const current = liveCols.get(col.name);
    if (!current) {
      // A per-row default (gen_random_uuid(), …) makes ADD COLUMN write every row; read from the tree.
      const rewrites = col.identity || (col.default !== null && callsPerRowFunction(col.default));
      // PostgreSQL adds a column after the existing ones; it cannot put one in the middle.
      const before = desired.columns.slice(position + 1).find((c) => liveCols.has(c.name))?.name ?? null;
      emit(addColumn(ctx.render, desired, col, { rewrites, mayHoldRows, appendedBefore: before }));
      if (before !== null) {
        ctx.diagnose({
          code: 'plan.column_appended',
          severity: 'warning',
          subject: `${key}.${col.name}`,
          message: `${desired.schema}.${desired.name}.${col.name} is added after the existing columns, not before ${before} as the spec lists it: PostgreSQL cannot reorder columns (a table created from the spec has the spec's order)`,
        });
      }
      if (desired.accumulated?.includes(col.name)) refuseNullAccumulator(ctx, desired, col.name, key);
      continue;
    }
    alterColumn(ctx, desired, col, current, emit);
  }
  let drops = false;
  for (const col of live.columns) {
    if (desiredCols.has(col.name)) continue;
    if (managed.has(col.name)) {
      drops = true;
      // After the Views phase: a view that read it is rebuilt without it first.
      aroundDependentViews(ctx, desired, col.name, 'drop', `column ${col.name} is dropped`);
      ctx.emit(Phase.DropColumns, dropColumn(ctx.render, desired, col.name));
    } else {
      ctx.diagnose({
        code: 'drift.column_added_by_hand',
        severity: 'warning',
        subject: `${key}.${col.name}`,
        message: `column added by hand: ${desired.schema}.${desired.name}.${col.name} — not in the spec; left alone`,
      });
    }
  }
  planConstraints(ctx, desired, live.constraints, emit);
  planPartitionDefaults(ctx, desired, live);
  // The marker lists the managed columns: written after the drops, so an apply stopped before a
  // drop leaves the column listed (dropped next time) rather than looking added by hand.
  const marker = markerStep(ctx, desired, drops ? {} : { group });
  if (marker) ctx.emit(drops ? Phase.DropColumns : Phase.Tables, marker);
}

function describePartitioning(t: TableObject): string {
  return t.partitionBy ? `range on ${t.partitionBy.column}` : 'none';
}

/**
 * A workflow step sums into this new column (`col + E`), but rows already in the table would
 * start with NULL, and NULL + E stays NULL for good. The value they should start from is the
 * history the metrics table summarises, which the plan cannot know: refused when the table
 * holds rows (answered exactly by the engine), with how to do it by hand.
 */
function refuseNullAccumulator(ctx: PlanContext, table: TableObject, column: string, key: string): void {
  const exact = ctx.live.hasRows.get(key);
  if (exact === undefined) ctx.rowChecks.set(key, { key, schema: table.schema, name: table.name });
  if (exact === false) return;
  ctx.diagnose({
    code: 'plan.accumulator_on_existing_rows',
    severity: 'error',
    subject: `${key}.${column}`,
    message:
      `${table.schema}.${table.name}.${column} is a new column a workflow step adds to (${column} + …), but ${table.schema}.${table.name} ` +
      `${exact === true ? 'holds' : 'may hold'} rows: there it would start NULL and stay NULL (NULL + x is NULL)`,
    hint:
      `apply the field first without the workflow assignment, fill it for the existing rows (UPDATE … FROM an aggregate of the source table), ` +
      `then add the assignment; a default would only hide the gap (existing rows would count from zero)`,
  });
}

/** −1 until ANALYZE: unknown counts as "may hold rows". */
function estimateRows(ctx: PlanContext, key: string): boolean {
  const exact = ctx.live.hasRows.get(key);
  if (exact !== undefined) return exact;
  const estimate = ctx.live.rowEstimates.get(key) ?? -1;
  return estimate !== 0;
}

type Emit = (step: PlanStep) => void;

/**
 * Defaults are compared as canonical trees (catalog/normalize.ts), the desired one as this
 * server prints it when the engine asked (catalog/defaults.ts). Equal text needs no parsing.
 */
function sameDefault(ctx: PlanContext, col: ColumnDef, live: ColumnDef): boolean {
  if (col.default === live.default) return true;
  const desired = col.default === null ? null : (ctx.live.defaultForms.get(defaultFormKey(col.type, col.default)) ?? canonicalDefault(col.default, col.type));
  return desired === (live.default === null ? null : canonicalDefault(live.default, live.type));
}

function alterColumn(ctx: PlanContext, table: TableObject, col: ColumnDef, live: ColumnDef, emit: Emit): void {
  const subject = `${table.schema}.${table.name}.${col.name}`;
  const change = classifyTypeChange(live.type, col.type);
  if (change.kind !== 'same' && table.partitionBy?.column === col.name) {
    ctx.diagnose({
      code: 'plan.partition_key_type_changed',
      severity: 'error',
      subject,
      message: `${subject}: the partition key's type cannot change (${live.type} → ${col.type}); PostgreSQL refuses ALTER TYPE on it`,
      hint: 'create a new entity with the new type and copy the rows',
    });
  } else if (change.kind !== 'same') {
    aroundDependentViews(ctx, table, col.name, 'type', `${col.name} changes type ${live.type} → ${col.type}`);
    let affected: { rows: number } | { error: string } | null = null;
    if (change.kind === 'lossy') {
      const key = lossCheckKey(table, col.name, col.type);
      affected = ctx.live.lossyRows.get(key) ?? null;
      if (affected === null) ctx.lossChecks.set(key, { key, table: { schema: table.schema, name: table.name }, column: col.name, from: live.type, to: col.type });
    }
    emit(alterColumnType(ctx.render, table, col, live.type, change.kind, change.loss ?? change.note ?? '', affected));
  }
  if (!col.identity && !sameDefault(ctx, col, live)) emit(setColumnDefault(ctx.render, table, col));
  if (col.identity !== live.identity) {
    ctx.diagnose({
      code: 'plan.identity_changed',
      severity: 'error',
      subject,
      message: `${subject}: identity ${live.identity ? 'removed' : 'added'} in the spec; not changed online — do it by hand`,
    });
  }
  if (col.notNull && !live.notNull) for (const step of setColumnNotNull(ctx.render, table, col)) emit(step);
  else if (!col.notNull && live.notNull) emit(dropColumnNotNull(ctx.render, table, col));
}

/**
 * Each partition keeps its own copy of the column defaults. Where the table's default is
 * already as desired (otherwise SET DEFAULT on the table reaches every partition anyway), a
 * partition whose copy differs is repaired: direct inserts into it would get another value.
 */
function planPartitionDefaults(ctx: PlanContext, desired: TableObject, live: TableObject): void {
  if (!desired.partitionBy) return;
  const liveCols = new Map(live.columns.map((c) => [c.name, c]));
  const partitions = ctx.live.objects.filter(
    (o): o is PartitionObject => o.kind === 'partition' && o.parent.schema === desired.schema && o.parent.name === desired.name,
  );
  for (const partition of partitions) {
    const defaults = ctx.live.partitionDefaults.get(objectKey(partition));
    if (!defaults) continue;
    for (const col of desired.columns) {
      const parent = liveCols.get(col.name);
      if (col.identity || !parent || parent.type !== col.type || !defaults.has(col.name)) continue;
      if (!sameDefault(ctx, col, parent)) continue; // the table's SET DEFAULT recurses into every partition
      if (sameDefault(ctx, col, { ...parent, default: defaults.get(col.name) ?? null })) continue;
      ctx.emit(Phase.Tables, setPartitionColumnDefault(partition, col));
    }
  }
}

function planConstraints(ctx: PlanContext, table: TableObject, live: readonly ConstraintDef[], emit: Emit): void {
  const liveByName = new Map(live.map((c) => [c.name, c]));
  for (const con of table.constraints) {
    const current = liveByName.get(con.name);
    if (current && current.kind === con.kind && current.columns.join(',') === con.columns.join(',')) continue;
    for (const step of addConstraint(ctx.render, table, con, current !== undefined)) emit(step);
  }
  const desiredNames = new Set(table.constraints.map((c) => c.name));
  for (const con of live) {
    if (desiredNames.has(con.name)) continue;
    ctx.diagnose({
      code: 'drift.constraint_not_in_spec',
      severity: 'warning',
      subject: `${objectKey(table)}.${con.name}`,
      message: `constraint ${con.name} on ${table.schema}.${table.name} is not in the spec; left alone`,
    });
  }
}
