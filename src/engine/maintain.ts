/**
 * Maintenance through the same planner: roll the partition window forward to
 * `today` (new partitions, rows moved out of DEFAULT, old partitions archived)
 * and refresh the materialized views. Only partition steps of the plan run
 * here, so `maintain` never applies an unrelated spec change; views that are
 * not up to date with the spec are left to `apply`.
 */
import type { DesiredState, MaterializedViewObject } from '../model/objects';
import { objectKey } from '../model/objects';
import type { PlanStep } from '../model/step';
import type { Plan } from '../plan/types';
import { summarizeHazards } from '../plan/hazards';
import type { SpecSet } from '../spec/model';
import { qualify } from '../model/ident';
import type { ApplyReport } from '../apply/report';
import { applyDesired, desiredFor, type EngineOptions } from './index';

function refreshStep(view: MaterializedViewObject): PlanStep {
  const concurrent = view.refresh.strategy === 'concurrent';
  return {
    sql: `REFRESH MATERIALIZED VIEW ${concurrent ? 'CONCURRENTLY ' : ''}${qualify(view.schema, view.name)};`,
    object: objectKey(view),
    description: `refresh materialized view ${view.schema}.${view.name}${concurrent ? ' (concurrently: readers unaffected)' : ' (blocks readers while it runs)'}`,
    lock: concurrent ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE',
    transactional: true,
    lockTimeoutMs: 2_000,
    statementTimeoutMs: 60 * 60 * 1000,
    hazards: [],
    group: `${objectKey(view)}:refresh`,
  };
}

export function maintenanceSteps(plan: Plan, desired: DesiredState): Plan {
  const partitionSteps = plan.steps.filter((s) => s.object.startsWith('partition:'));
  const pending = new Set(plan.steps.map((s) => s.object));
  const views = desired.objects.filter((o): o is MaterializedViewObject => o.kind === 'materialized_view' && !pending.has(objectKey(o)));
  const steps = [...partitionSteps, ...views.map(refreshStep)];
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
