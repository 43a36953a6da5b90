/**
 * The engine facade used by the CLI and the Pulumi provider: specs in,
 * plan / apply / inspect / drop out. Every entry point builds the desired
 * state with explicit options (today, premake, retention, pg_cron), reads the
 * live catalog of the schemas involved, and plans with the same planner.
 */
import type { Client } from 'pg';
import { acquireApplyLocks } from '../apply/advisory-lock';
import { executePlan } from '../apply/executor';
import type { ApplyReport } from '../apply/report';
import { readCatalog } from '../catalog/read';
import { probeDefaultForms } from '../catalog/defaults';
import { countLossyRows, fillDefaultRows, fillHasRows } from '../catalog/rows';
import type { LiveCatalog } from '../catalog/types';
import { connect } from '../db/connection';
import type { Diagnostic } from '../diagnostics/diagnostic';
import { buildDesired } from '../desired/build';
import type { DesiredState, EntityOutputs } from '../model/objects';
import { objectKey } from '../model/objects';
import { gatePlan, type GateResult } from '../plan/gate';
import { summarizeHazards } from '../plan/hazards';
import { desiredOwnership } from '../plan/ownership';
import { planChanges } from '../plan/plan';
import type { HazardCode } from '../model/step';
import type { Plan, PlanOptions } from '../plan/types';
import type { EntitySpec, SpecSet } from '../spec/model';
import { DEFAULT_LOCK_TIMEOUT_MS } from '../model/step';
import { unscheduleCronJob } from '../render/cron-jobs';

export interface EngineOptions {
  readonly databaseUrl: string;
  /** `YYYY-MM-DD` (UTC); defaults to the current date. */
  readonly today?: string;
  readonly premake?: number;
  readonly retention?: number | null;
  readonly refreshOverrides?: Record<string, string>;
  readonly allowHazards?: HazardCode[];
  readonly entities?: string[];
  readonly onProgress?: (msg: string) => void;
  /** lock_timeout for transactional DDL (default 2 s). */
  readonly lockTimeoutMs?: number;
  /** Longest wait for another apply's advisory lock (default 60 s, DEFAULT_LOCK_WAIT_MS); then LockWaitTimeoutError. */
  readonly lockWaitMs?: number;
}

/** Thrown by applySpecs/dropEntity when the plan carries hazards that were not allowed by name. */
export class HazardsRefusedError extends Error {
  constructor(readonly plan: Plan, readonly gate: GateResult) {
    super(gate.message);
    this.name = 'HazardsRefusedError';
  }
}

/** Thrown when an apply fails; the report says which step and why. */
export class ApplyFailedError extends Error {
  constructor(readonly plan: Plan, readonly report: ApplyReport) {
    const failed = report.results.find((r) => r.status === 'failed');
    super(
      report.connectionLost && failed?.preflight
        ? `the apply's database session was lost during the pre-flight (a rolled-back rehearsal), at step ${failed.index} (${failed.step.description}): ${report.connectionLost}. Nothing was written; run apply again.`
        : report.connectionLost
        ? `the apply's database session was lost at step ${failed?.index} (${failed?.step.description}): ${report.connectionLost}. Steps before it are committed; run apply again to finish.`
        : failed?.preflight
        ? `refused before any write: the pre-flight (a rolled-back rehearsal of the plan) found step ${failed.index} fails: ${failed.step.description}: ${failed.error?.message}\nSQL: ${failed.error?.sql}\nNothing was written.`
        : `apply failed at step ${failed?.index}: ${failed?.step.description}: ${failed?.error?.message}\nSQL: ${failed?.error?.sql}`,
    );
    this.name = 'ApplyFailedError';
  }
}

export const todayUtc = (): string => new Date().toISOString().slice(0, 10);

/** Whether the database has pg_cron, and whether it is 1.5+ (schedules in seconds). */
export interface PgCronInfo {
  readonly installed: boolean;
  readonly seconds: boolean;
}

export async function pgCronInfo(client: Client): Promise<PgCronInfo> {
  const { rows } = await client.query(`SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'`);
  if (rows.length === 0) return { installed: false, seconds: false };
  const [major, minor] = String(rows[0].extversion).split('.').map(Number);
  return { installed: true, seconds: (major ?? 0) > 1 || ((major ?? 0) === 1 && (minor ?? 0) >= 5) };
}

async function hasPgCron(client: Client): Promise<PgCronInfo> {
  return pgCronInfo(client);
}

export function desiredFor(specs: SpecSet, opts: EngineOptions, pgCron: boolean | PgCronInfo): DesiredState {
  const cron = typeof pgCron === 'boolean' ? { installed: pgCron, seconds: false } : pgCron;
  return buildDesired(specs, {
    today: opts.today ?? todayUtc(),
    ...(opts.premake !== undefined ? { premake: opts.premake } : {}),
    ...(opts.retention !== undefined ? { retention: opts.retention } : {}),
    ...(opts.refreshOverrides ? { refreshOverrides: opts.refreshOverrides } : {}),
    pgCron: cron.installed,
    pgCronSeconds: cron.seconds,
  });
}

/** Every schema the desired objects live in (what the catalog reader reads and the lock covers). */
export function schemasOf(desired: DesiredState, specs?: SpecSet): string[] {
  const out = new Set<string>();
  for (const o of desired.objects) {
    if (o.kind === 'schema') out.add(o.name);
    else if (o.kind === 'trigger') out.add(o.table.schema);
    else if ('schema' in o) out.add(o.schema);
  }
  for (const e of specs?.entities ?? []) out.add(e.schema);
  return [...out].sort();
}

/** Asks the server how it prints the defaults that differ only in spelling, plans, then answers
 *  "does it hold rows?" exactly for what would be dropped, and plans again. */
export async function planAgainst(client: Client, desired: DesiredState, live: LiveCatalog, options: PlanOptions): Promise<Plan> {
  await probeDefaultForms(client, desired, live);
  let plan = planChanges(desired, live, options);
  const lossChecks = plan.lossChecks ?? [];
  const defaultChecks = plan.defaultChecks ?? [];
  if (plan.rowChecks.length > 0 || lossChecks.length > 0 || defaultChecks.length > 0) {
    await fillHasRows(client, live, plan.rowChecks);
    await countLossyRows(client, live, lossChecks);
    await fillDefaultRows(client, live, defaultChecks);
    plan = planChanges(desired, live, options);
  }
  return plan;
}

function planOptions(opts: EngineOptions): PlanOptions {
  return {
    ...(opts.entities ? { entities: opts.entities } : {}),
    ...(opts.lockTimeoutMs ? { lockTimeoutMs: opts.lockTimeoutMs } : {}),
  };
}

const lockOptions = (opts: EngineOptions): { waitMs?: number } => (opts.lockWaitMs !== undefined ? { waitMs: opts.lockWaitMs } : {});

async function withEngineClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(url, 'specql', { pinSearchPath: true });
  try {
    return await fn(client);
  } finally {
    // After a lost connection end() has nothing to close; its error must not hide fn's.
    await client.end().catch(() => undefined);
  }
}

export async function planSpecs(specs: SpecSet, opts: EngineOptions): Promise<{ plan: Plan; desired: DesiredState }> {
  return withEngineClient(opts.databaseUrl, async (client) => {
    const desired = desiredFor(specs, opts, await hasPgCron(client));
    const live = await readCatalog(client, schemasOf(desired, specs));
    return { plan: await planAgainst(client, desired, live, planOptions(opts)), desired };
  });
}

function outputsFor(desired: DesiredState, entities?: readonly string[]): EntityOutputs[] {
  return desired.entities.filter((e) => !entities || entities.includes(e.entity));
}

/**
 * Plans and applies under the per-schema advisory locks; the plan is made
 * after the locks are held, so two concurrent applies never act on a stale plan.
 * Refuses blocking hazards unless allowed (HazardsRefusedError); throws
 * ApplyFailedError (with the report) when a step fails.
 */
export async function applySpecs(
  specs: SpecSet,
  opts: EngineOptions,
): Promise<{ plan: Plan; report: ApplyReport; outputs: EntityOutputs[] }> {
  const result = await applyDesired((pgCron) => desiredFor(specs, opts, pgCron), opts, specs);
  return { plan: result.plan, report: result.report, outputs: outputsFor(result.desired, opts.entities) };
}

/** applySpecs for an already built desired state (tests, maintenance). */
export async function applyDesired(
  build: DesiredState | ((pgCron: PgCronInfo) => DesiredState),
  opts: EngineOptions,
  specs?: SpecSet,
  filter?: (plan: Plan) => Plan,
): Promise<{ plan: Plan; report: ApplyReport; desired: DesiredState }> {
  return withEngineClient(opts.databaseUrl, async (client) => {
    const desired = typeof build === 'function' ? build(await hasPgCron(client)) : build;
    const schemas = schemasOf(desired, specs);
    const locks = await acquireApplyLocks(client, schemas, opts.onProgress, lockOptions(opts));
    try {
      const live = await readCatalog(client, schemas);
      const planned = await planAgainst(client, desired, live, planOptions(opts));
      const plan = filter ? filter(planned) : planned;
      const gate = gatePlan(plan, opts.allowHazards ?? []);
      if (!gate.ok) throw new HazardsRefusedError(plan, gate);
      const report = {
        ...(await executePlan(client, plan, { url: opts.databaseUrl, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) })),
        lockWaitMs: locks.waitedMs,
      };
      if (!report.ok) throw new ApplyFailedError(plan, report);
      return { plan, report, desired };
    } finally {
      await locks.release();
    }
  });
}

/** planSpecs for an already built desired state. */
export async function planDesired(desired: DesiredState, opts: EngineOptions): Promise<Plan> {
  return withEngineClient(opts.databaseUrl, async (client) => {
    const live = await readCatalog(client, schemasOf(desired));
    return planAgainst(client, desired, live, planOptions(opts));
  });
}

/** For Pulumi read/refresh: does the entity exist, its outputs, and how it drifted from the spec. */
export async function inspectEntity(
  spec: EntitySpec,
  specs: SpecSet,
  opts: EngineOptions,
): Promise<{ exists: boolean; outputs: EntityOutputs | null; drift: Diagnostic[] }> {
  return withEngineClient(opts.databaseUrl, async (client) => {
    const desired = desiredFor(specs, opts, await hasPgCron(client));
    const live = await readCatalog(client, schemasOf(desired, specs));
    const outputs = desired.entities.find((e) => e.entity === spec.entity) ?? null;
    const tableKey = outputs ? `table:${outputs.schema}.${outputs.table}` : `table:${spec.schema}.${spec.table}`;
    const exists = live.objects.some((o) => objectKey(o) === tableKey);
    if (!exists) return { exists: false, outputs: null, drift: [] };
    const plan = await planAgainst(client, desired, live, { ...planOptions(opts), entities: [spec.entity] });
    const drift: Diagnostic[] = [
      ...plan.diagnostics,
      ...plan.steps.map((s) => ({
        code: 'drift.pending_change',
        severity: 'warning' as const,
        subject: s.object,
        message: `differs from the spec: ${s.description}`,
      })),
    ];
    return { exists, outputs, drift };
  });
}

/**
 * Drops everything specql created for one entity (objects carrying its
 * marker). A table holding rows is refused unless `force`.
 */
export async function dropEntity(spec: EntitySpec, specs: SpecSet, opts: EngineOptions & { force: boolean }): Promise<ApplyReport> {
  return withEngineClient(opts.databaseUrl, async (client) => {
    const full = desiredFor(specs, opts, await hasPgCron(client));
    // The rest of the desired state stays as it is (other entities may still
    // reference this one, so the spec set without it need not even build).
    const ownerOf = desiredOwnership(full);
    const desired: DesiredState = {
      objects: full.objects.filter((o) => ownerOf(o) !== spec.entity),
      entities: full.entities.filter((e) => e.entity !== spec.entity),
    };
    const schemas = schemasOf(full, specs);
    const locks = await acquireApplyLocks(client, schemas, opts.onProgress, lockOptions(opts));
    try {
      const live = await readCatalog(client, schemas);
      const planned = await planAgainst(client, desired, live, { ...planOptions(opts), entities: [spec.entity] });
      // Drop only: nothing of the remaining entities is created by this call.
      const steps = planned.steps.filter((s) => s.action === 'drop' || s.action === 'unschedule');
      const out = full.entities.find((e) => e.entity === spec.entity);
      const jobs = [...(out?.queueSchedules ?? []), ...(out?.refreshSchedules ?? []), ...(out?.maintenanceSchedule ? [out.maintenanceSchedule] : [])].filter(
        (r) => r.runner === 'pg_cron' && live.objects.some((o) => o.kind === 'cron_job' && o.name === r.jobName),
      );
      const unschedule = jobs.map((j) => ({ ...unscheduleCronJob({ name: j.jobName }, `${spec.entity} is dropped`), lockTimeoutMs: opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS }));
      const dropSteps = [...unschedule, ...steps.filter((s) => !unschedule.some((u) => u.object === s.object))];
      const plan: Plan = { ...planned, steps: dropSteps, hazards: summarizeHazards(dropSteps) };
      const allowed: HazardCode[] = [...(opts.allowHazards ?? []), ...(opts.force ? (['deletes_data'] as const) : [])];
      const gate = gatePlan(plan, allowed);
      if (!gate.ok) throw new HazardsRefusedError(plan, gate);
      const report = await executePlan(client, plan, { url: opts.databaseUrl, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
      return { ...report, lockWaitMs: locks.waitedMs };
    } finally {
      await locks.release();
    }
  });
}

export type { Plan, PlanOptions } from '../plan/types';
export type { ApplyReport, StepResult } from '../apply/report';
export type { EntityOutputs, DesiredState } from '../model/objects';
export { gatePlan } from '../plan/gate';
export { DEFAULT_LOCK_WAIT_MS, LockWaitTimeoutError, parseDuration } from '../apply/advisory-lock';
