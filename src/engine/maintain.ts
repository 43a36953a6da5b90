/**
 * Maintenance through the same planner: roll the partition window forward to
 * `today` (new partitions, rows moved out of DEFAULT, old partitions archived)
 * and refresh the materialized views. Only partition steps of the plan run
 * here, so `maintain` never applies an unrelated spec change; views that are
 * not up to date with the spec are left to `apply`.
 */
import type { DesiredState, MaterializedViewObject } from '../model/objects';
import { objectKey } from '../model/objects';
import type { Plan } from '../plan/types';
import { summarizeHazards } from '../plan/hazards';
import type { SpecSet } from '../spec/model';
import { refreshMaterializedView } from '../render/materialized-views';
import type { ApplyReport } from '../apply/report';
import { applyDesired, desiredFor, type EngineOptions } from './index';

export function maintenanceSteps(plan: Plan, desired: DesiredState): Plan {
  const partitionSteps = plan.steps.filter((s) => s.object.startsWith('partition:'));
  const pending = new Set(plan.steps.map((s) => s.object));
  const views = desired.objects.filter((o): o is MaterializedViewObject => o.kind === 'materialized_view' && !pending.has(objectKey(o)));
  const steps = [...partitionSteps, ...views.map(refreshMaterializedView)];
  return { ...plan, steps, hazards: summarizeHazards(steps) };
}

export async function maintainSpecs(specs: SpecSet, opts: EngineOptions): Promise<{ plan: Plan; report: ApplyReport }> {
  let desired: DesiredState | null = null;
  const result = await applyDesired(
    (pgCron) => (desired = desiredFor(specs, opts, pgCron)),
    opts,
    specs,
    (plan) => maintenanceSteps(plan, desired!),
  );
  return { plan: result.plan, report: result.report };
}
