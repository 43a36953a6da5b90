/**
 * Maintenance through the same planner: roll the partition window forward to
 * `today` (new partitions, rows moved out of DEFAULT, old partitions archived)
 * and refresh the materialized views. Only partition steps of the plan run
 * here, so `maintain` never applies an unrelated spec change; views that are
 * not up to date with the spec are left to `apply`. Rows waiting in a DEFAULT
 * partition outside the window (late rows) are moved by calling the table's
 * maintenance function, which gives each of their intervals a partition.
 */
import type { DesiredState, FunctionObject, MaterializedViewObject } from '../model/objects';
import { objectKey } from '../model/objects';
import type { Plan } from '../plan/types';
import { summarizeHazards } from '../plan/hazards';
import type { SpecSet } from '../spec/model';
import { qualify, quoteLiteral } from '../model/ident';
import { withClient } from '../db/connection';
import { refreshMaterializedView } from '../render/materialized-views';
import { hazard, lockOn, step } from '../render/step';
import type { PlanStep } from '../model/step';
import type { ApplyReport } from '../apply/report';
import { applyDesired, desiredFor, todayUtc, type EngineOptions } from './index';

/** A call of the maintenance function for a table whose DEFAULT partition holds rows. */
function lateRowsStep(fn: FunctionObject, parent: { schema: string; name: string }, defaultPartition: { schema: string; name: string }, rows: number, today: string): PlanStep {
  const def = `${defaultPartition.schema}.${defaultPartition.name}`;
  return step({
    sql: `SELECT ${qualify(fn.schema, fn.name)}(${quoteLiteral(today)}::date);`,
    object: objectKey(fn),
    action: 'move_rows',
    description: `move ${rows} rows waiting in DEFAULT ${def} into partitions made for them (older than retention: archived)`,
    // The function locks the parent and DEFAULT in EXCLUSIVE mode (reads go on, writers wait).
    locks: [lockOn(parent, 'EXCLUSIVE'), lockOn(defaultPartition, 'EXCLUSIVE')],
    statementTimeoutMs: 60 * 60 * 1000,
    hazards: [hazard('moves_rows', `rows sitting in ${def} are moved (same transaction: none lost)`)],
    group: `${objectKey(fn)}:late_rows`,
  });
}

/** Rows in each entity's DEFAULT partition (`schema.name` → count), for those that exist. */
async function defaultPartitionRows(url: string, desired: DesiredState): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  await withClient(url, async (client) => {
    for (const e of desired.entities) {
      if (e.defaultPartition === null) continue;
      const name = qualify(e.schema, e.defaultPartition);
      const { rows } = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [name]);
      if (!rows[0].present) continue;
      const counted = await client.query(`SELECT count(*)::bigint AS n FROM ${name}`);
      counts.set(`${e.schema}.${e.defaultPartition}`, Number(counted.rows[0].n));
    }
  });
  return counts;
}

export function maintenanceSteps(plan: Plan, desired: DesiredState, late: ReadonlyMap<string, number> = new Map(), today?: string): Plan {
  const partitionSteps = plan.steps.filter((s) => s.object.startsWith('partition:'));
  const pending = new Set(plan.steps.map((s) => s.object));
  const views = desired.objects.filter((o): o is MaterializedViewObject => o.kind === 'materialized_view' && !pending.has(objectKey(o)));
  const lateSteps: PlanStep[] = [];
  for (const e of desired.entities) {
    const rows = e.defaultPartition === null ? 0 : (late.get(`${e.schema}.${e.defaultPartition}`) ?? 0);
    const fn = desired.objects.find(
      (o): o is FunctionObject => o.kind === 'function' && e.maintenanceSchedule !== null && `${o.schema}.${o.name}` === e.maintenanceSchedule.function,
    );
    // A maintenance function the plan still has to (re)create is left to `apply`.
    if (rows > 0 && fn && today && e.defaultPartition !== null && !pending.has(objectKey(fn))) {
      lateSteps.push(lateRowsStep(fn, { schema: e.schema, name: e.table }, { schema: e.schema, name: e.defaultPartition }, rows, today));
    }
  }
  const steps = [...partitionSteps, ...lateSteps, ...views.map(refreshMaterializedView)];
  return { ...plan, steps, hazards: summarizeHazards(steps) };
}

export async function maintainSpecs(specs: SpecSet, opts: EngineOptions): Promise<{ plan: Plan; report: ApplyReport }> {
  let desired: DesiredState | null = null;
  const today = opts.today ?? todayUtc();
  // Counted before the plan; rows arriving later are the next run's (the function moves all it finds).
  const late = await defaultPartitionRows(opts.databaseUrl, desiredFor(specs, { ...opts, today }, false));
  const result = await applyDesired(
    (pgCron) => (desired = desiredFor(specs, { ...opts, today }, pgCron)),
    opts,
    specs,
    (plan) => maintenanceSteps(plan, desired!, late, today),
  );
  return { plan: result.plan, report: result.report };
}
