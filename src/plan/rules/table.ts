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
import { fitIdentifier, qualify, quoteIdent } from '../../model/ident';
import { makeStep, type PlanContext } from '../context';
import { createFor } from '../create';
import { hazard } from '../hazards';
import { LOCKS } from '../locks';
import { markerStepIfNeeded } from '../markers';
import { Phase } from '../order';
import type { Hazard } from '../../model/step';

/** Functions whose value differs per row: ADD COLUMN … DEFAULT f() rewrites the table. */
const VOLATILE_DEFAULT = /\b(gen_random_uuid|uuid_generate_v[14]|random|clock_timestamp|timeofday|nextval)\s*\(/i;

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
    for (const step of createFor(ctx, desired)) ctx.emit(Phase.Tables, step);
    const marker = markerStepIfNeeded(ctx, desired);
    if (marker) ctx.emit(Phase.Tables, marker);
    return;
  }
  const name = qualify(desired.schema, desired.name);
  const group = `${key}:columns`;
  const emit = (sql: string, description: string, hazards: Hazard[] = [], lock: typeof LOCKS[keyof typeof LOCKS] = LOCKS.alterTable, ownGroup?: string): void =>
    ctx.emit(Phase.Tables, makeStep(ctx, { sql, object: key, description, lock, hazards, group: ownGroup ?? group }));

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
  const rowsKnown = estimateRows(ctx, key);

  for (const col of desired.columns) {
    const current = liveCols.get(col.name);
    if (!current) {
      addColumn(ctx, desired, col, rowsKnown, emit);
      continue;
    }
    alterColumn(ctx, desired, col, current, emit);
  }
  for (const col of live.columns) {
    if (desiredCols.has(col.name)) continue;
    if (managed.has(col.name)) {
      emit(
        `ALTER TABLE ${name} DROP COLUMN ${quoteIdent(col.name)};`,
        `drop column ${desired.schema}.${desired.name}.${col.name} (removed from the spec)`,
        [hazard('deletes_data', `the values of column ${desired.schema}.${desired.name}.${col.name} are lost`)],
      );
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
  const marker = markerStepIfNeeded(ctx, desired, group);
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

type Emit = (sql: string, description: string, hazards?: Hazard[], lock?: typeof LOCKS[keyof typeof LOCKS], group?: string) => void;

function columnSql(col: ColumnDef): string {
  const parts = [quoteIdent(col.name), col.type];
  if (col.identity) parts.push('GENERATED ALWAYS AS IDENTITY');
  if (col.default !== null) parts.push(`DEFAULT ${col.default}`);
  if (col.notNull) parts.push('NOT NULL');
  return parts.join(' ');
}

function addColumn(ctx: PlanContext, table: TableObject, col: ColumnDef, mayHoldRows: boolean, emit: Emit): void {
  const name = qualify(table.schema, table.name);
  const subject = `${table.schema}.${table.name}.${col.name}`;
  const hazards: Hazard[] = [hazard('access_exclusive_lock', `briefly locks ${table.schema}.${table.name} (catalog-only change)`)];
  if ((col.default && VOLATILE_DEFAULT.test(col.default)) || col.identity) {
    hazards.push(hazard('rewrites_table', `a per-row default (${col.identity ? 'identity' : col.default}) rewrites ${table.schema}.${table.name} under ACCESS EXCLUSIVE`));
  }
  if (col.notNull && col.default === null && !col.identity && mayHoldRows) {
    hazards.push(hazard('may_fail_on_existing_data', `NOT NULL without a default fails if ${table.schema}.${table.name} holds rows`));
  }
  emit(`ALTER TABLE ${name} ADD COLUMN ${columnSql(col)};`, `add column ${subject} ${col.type}`, hazards);
  void ctx;
}

function alterColumn(ctx: PlanContext, table: TableObject, col: ColumnDef, live: ColumnDef, emit: Emit): void {
  const name = qualify(table.schema, table.name);
  const column = quoteIdent(col.name);
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
    const hazards: Hazard[] = [];
    if (change !== 'no_rewrite') hazards.push(hazard('rewrites_table', `${live.type} → ${col.type} rewrites ${table.schema}.${table.name} under ACCESS EXCLUSIVE`));
    if (change === 'narrowing') hazards.push(hazard('may_fail_on_existing_data', `values that do not fit ${col.type} make the change fail`));
    if (change === 'lossy') hazards.push(hazard('deletes_data', `${live.type} → ${col.type} rounds away digits of ${subject}`));
    if (change === 'no_rewrite') hazards.push(hazard('access_exclusive_lock', `briefly locks ${table.schema}.${table.name} (no rewrite: binary-compatible widening)`));
    emit(
      `ALTER TABLE ${name} ALTER COLUMN ${column} TYPE ${col.type}${change === 'no_rewrite' ? '' : ` USING ${column}::${col.type}`};`,
      `change type of ${subject}: ${live.type} → ${col.type}`,
      hazards,
    );
  }
  const desiredDefault = col.identity || col.default === null ? null : (ctx.live.defaultForms.get(defaultFormKey(col.type, col.default)) ?? canonicalDefault(col.default, col.type));
  if (desiredDefault !== live.default && !col.identity) {
    emit(
      col.default === null
        ? `ALTER TABLE ${name} ALTER COLUMN ${column} DROP DEFAULT;`
        : `ALTER TABLE ${name} ALTER COLUMN ${column} SET DEFAULT ${col.default};`,
      `${col.default === null ? 'drop default of' : 'set default of'} ${subject}`,
      [hazard('access_exclusive_lock', `briefly locks ${table.schema}.${table.name} (catalog-only change)`)],
    );
  }
  if (col.identity !== live.identity) {
    ctx.diagnose({
      code: 'plan.identity_changed',
      severity: 'error',
      subject,
      message: `${subject}: identity ${live.identity ? 'removed' : 'added'} in the spec; not changed online — do it by hand`,
    });
  }
  if (col.notNull && !live.notNull) {
    // Four steps so no statement scans the table under ACCESS EXCLUSIVE.
    const check = quoteIdent(fitIdentifier(`${table.name}_${col.name}_not_null`));
    const group = `${objectKey(table)}:not_null:${col.name}`;
    // A run killed after the check was added leaves it behind: replace it in the same transaction.
    emit(`ALTER TABLE ${name} DROP CONSTRAINT IF EXISTS ${check};`, `drop a leftover helper check on ${subject}, if any`, [], LOCKS.alterTable, `${group}:add`);
    emit(`ALTER TABLE ${name} ADD CONSTRAINT ${check} CHECK (${column} IS NOT NULL) NOT VALID;`, `add NOT VALID check ${subject} IS NOT NULL`,
      [hazard('access_exclusive_lock', `briefly locks ${table.schema}.${table.name} (no scan)`)], LOCKS.alterTable, `${group}:add`);
    emit(`ALTER TABLE ${name} VALIDATE CONSTRAINT ${check};`, `validate ${subject} IS NOT NULL (scan; writers keep going)`,
      [hazard('may_fail_on_existing_data', `fails if ${subject} holds NULLs`)], LOCKS.validateConstraint, `${group}:validate`);
    emit(`ALTER TABLE ${name} ALTER COLUMN ${column} SET NOT NULL;`, `set ${subject} NOT NULL (proved by the validated check, no scan)`,
      [hazard('access_exclusive_lock', `briefly locks ${table.schema}.${table.name}`)], LOCKS.alterTable, `${group}:set`);
    emit(`ALTER TABLE ${name} DROP CONSTRAINT ${check};`, `drop helper check on ${subject}`, [], LOCKS.alterTable, `${group}:set`);
  } else if (!col.notNull && live.notNull) {
    emit(`ALTER TABLE ${name} ALTER COLUMN ${column} DROP NOT NULL;`, `drop NOT NULL on ${subject}`,
      [hazard('access_exclusive_lock', `briefly locks ${table.schema}.${table.name} (catalog-only change)`)]);
  }
}

function planConstraints(ctx: PlanContext, table: TableObject, live: readonly ConstraintDef[], emit: Emit): void {
  const name = qualify(table.schema, table.name);
  const liveByName = new Map(live.map((c) => [c.name, c]));
  for (const con of table.constraints) {
    const current = liveByName.get(con.name);
    if (current && current.kind === con.kind && current.columns.join(',') === con.columns.join(',')) continue;
    const hazards = [
      hazard('access_exclusive_lock', `locks ${table.schema}.${table.name} while the ${con.kind === 'primary_key' ? 'primary key' : 'unique'} index is built`),
      hazard('index_build', `builds the index of ${con.name}`),
      hazard('may_fail_on_existing_data', `fails if current rows have duplicates in (${con.columns.join(', ')})`),
    ];
    const add = `ALTER TABLE ${name} ADD CONSTRAINT ${quoteIdent(con.name)} ${con.kind === 'primary_key' ? 'PRIMARY KEY' : 'UNIQUE'} (${con.columns.map(quoteIdent).join(', ')});`;
    const sql = current ? `ALTER TABLE ${name} DROP CONSTRAINT ${quoteIdent(con.name)};\n${add}` : add;
    emit(sql, `${current ? 'replace' : 'add'} constraint ${con.name} on ${table.schema}.${table.name}`, hazards);
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
