/**
 * Tables: create, online column changes, drops.
 *  - a nullable column (or one with a non-volatile default) is added instantly
 *    (PG 11+ stores the default in the catalog); a volatile default rewrites;
 *  - NOT NULL on an existing column: CHECK (col IS NOT NULL) NOT VALID, then
 *    VALIDATE (SHARE UPDATE EXCLUSIVE: writers keep going), then SET NOT NULL,
 *    which PG 12+ proves from the validated check without a scan, then drop the check;
 *  - type changes: widening that PostgreSQL does without a rewrite (numeric
 *    precision up at the same scale, varchar longer, varchar → text) is plain;
 *    anything else rewrites the table (rewrites_table, refused by default), and
 *    narrowing may fail on current rows or lose digits (deletes_data);
 *  - a column that left the spec is dropped (deletes_data) only if specql
 *    created it (listed in the table's marker); one added by hand is reported.
 */
import { defaultFormKey } from '../../catalog/defaults';
import { canonicalDefault } from '../../catalog/normalize';
import type { ColumnDef, ConstraintDef, TableObject } from '../../model/objects';
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
} from '../../render/tables';
import type { PlanContext } from '../context';
import { markerStep } from '../markers';
import { Phase } from '../order';


export type TypeChange = 'same' | 'no_rewrite' | 'rewrite' | 'narrowing' | 'lossy';

/** How PostgreSQL carries out ALTER COLUMN … TYPE from one type to another. */
export function classifyTypeChange(from: string, to: string): TypeChange {
  if (from === to) return 'same';
  const num = (t: string): [number, number] | null => {
    const m = /^numeric\((\d+)(?:,(\d+))?\)$/.exec(t.replace(/\s+/g, ''));
    return m ? [Number(m[1]), Number(m[2] ?? 0)] : null;
  };
  const varchar = (t: string): number | null => {
    const m = /^character varying\((\d+)\)$/.exec(t);
    return m ? Number(m[1]) : null;
  };
  const [nf, nt] = [num(from), num(to)];
  if (nf && nt) {
    if (nt[1] < nf[1]) return 'lossy';
    if (nt[1] === nf[1]) return nt[0] >= nf[0] ? 'no_rewrite' : 'narrowing';
    return nt[0] - nt[1] >= nf[0] - nf[1] ? 'rewrite' : 'narrowing';
  }
  if (nf && to === 'numeric') return 'no_rewrite';
  const [vf, vt] = [varchar(from), varchar(to)];
  if (vf !== null && vt !== null) return vt >= vf ? 'no_rewrite' : 'narrowing';
  if (vf !== null && (to === 'text' || to === 'character varying')) return 'no_rewrite';
  if (from === 'text' && vt !== null) return 'narrowing';
  return 'rewrite';
}

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

  for (const col of desired.columns) {
    const current = liveCols.get(col.name);
    if (!current) {
      // A per-row default (gen_random_uuid(), …) makes ADD COLUMN write every row; read from the tree.
      const rewrites = col.identity || (col.default !== null && callsPerRowFunction(col.default));
      emit(addColumn(ctx.render, desired, col, { rewrites, mayHoldRows }));
      continue;
    }
    alterColumn(ctx, desired, col, current, emit);
  }
  for (const col of live.columns) {
    if (desiredCols.has(col.name)) continue;
    if (managed.has(col.name)) {
      emit(dropColumn(ctx.render, desired, col.name));
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
  const marker = markerStep(ctx, desired, { group });
  if (marker) ctx.emit(Phase.Tables, marker);
}

function describePartitioning(t: TableObject): string {
  return t.partitionBy ? `range on ${t.partitionBy.column}` : 'none';
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
  if (change !== 'same' && table.partitionBy?.column === col.name) {
    ctx.diagnose({
      code: 'plan.partition_key_type_changed',
      severity: 'error',
      subject,
      message: `${subject}: the partition key's type cannot change (${live.type} → ${col.type}); PostgreSQL refuses ALTER TYPE on it`,
      hint: 'create a new entity with the new type and copy the rows',
    });
  } else if (change !== 'same') {
    emit(alterColumnType(ctx.render, table, col, live.type, change));
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
