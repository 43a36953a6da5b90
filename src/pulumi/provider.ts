/**
 * The Entity dynamic provider's handlers. Thin by design: validation, planning,
 * applying, introspection and dropping all live in src/engine (reached through
 * ./engine-adapter); this file maps them onto Pulumi's check / diff / create /
 * update / read / delete.
 *
 * Loaded with `require()` inside the provider process (see ./entity.ts), never
 * serialized: no connection or secret is ever captured in a closure.
 */
import { createHash } from 'node:crypto';
import type * as pulumi from '@pulumi/pulumi';
import type { EntityOutputs } from '../model/objects';
import { redactUrl, scrub } from './connection';
import * as engine from './engine-adapter';
import {
  DEFAULT_SETTINGS,
  type EntityCheckedInputs,
  type EntityProgramInputs,
  type EntitySettings,
  type EntityState,
  type EntityTarget,
  type PlanSummary,
} from './types';

/** Pulumi's marker for a value not known yet (preview of a value computed elsewhere). */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

export interface ProviderConfig {
  /** From stack config (`<project>:databaseUrl` or `specql:databaseUrl`): used by read and delete, which get no secret inputs. */
  readonly databaseUrl?: string;
}

type Failure = pulumi.dynamic.CheckFailure;

export class EntityProvider implements pulumi.dynamic.ResourceProvider {
  constructor(private readonly config: ProviderConfig = {}) {}

  async check(_olds: unknown, program: EntityProgramInputs): Promise<pulumi.dynamic.CheckResult> {
    const { __dryRun: dryRun, ...news } = program;
    const failures: Failure[] = [];
    if (typeof news.entity !== 'string' || news.entity === '') failures.push({ property: 'entity', reason: 'entity: the entity name is required' });
    if (!Array.isArray(news.sources) || news.sources.length === 0) failures.push({ property: 'sources', reason: 'sources: at least one spec file is required' });
    if (typeof news.databaseUrl !== 'string' || news.databaseUrl === '') failures.push({ property: 'databaseUrl', reason: 'databaseUrl: a PostgreSQL connection URL is required (pulumi config set --secret databaseUrl ...)' });
    const settings = { ...DEFAULT_SETTINGS, ...(news.settings ?? {}) };
    if (settings.deletionPolicy !== 'retain' && settings.deletionPolicy !== 'drop') {
      failures.push({ property: 'settings', reason: `settings.deletionPolicy: must be "retain" or "drop", not ${JSON.stringify(settings.deletionPolicy)}` });
    }
    if (settings.lockWait !== null && settings.lockWait !== undefined && (typeof settings.lockWait !== 'string' || engine.parseLockWait(settings.lockWait) === null)) {
      failures.push({ property: 'settings', reason: `settings.lockWait: a duration such as "90s", "2m" or "500ms", not ${JSON.stringify(settings.lockWait)}` });
    }
    if (failures.length > 0) return { inputs: news, failures };

    const loaded = await engine.load(news.sources);
    for (const d of loaded.errors) failures.push({ property: 'sources', reason: d });
    const spec = loaded.specs.entities.find((e) => e.entity === news.entity);
    if (!spec && loaded.errors.length === 0) {
      const files = news.sources.map((s) => s.file).join(', ');
      failures.push({ property: 'entity', reason: `entity: no entity named ${news.entity} in ${files}` });
    }
    if (failures.length > 0 || !spec) return { inputs: news, failures };

    const urlKnown = news.databaseUrl !== UNKNOWN;
    const plan = await planned(news.entity, loaded.specs, settings, urlKnown ? news.databaseUrl : null);
    // The checked inputs of an update are what the state keeps, and the CLI's next
    // `preview --diff` shows plannedSql as a line diff against them. Kept as the
    // plan just run, every applied statement would show as removed next time; so an
    // update records the plan as spent; diff reads the pending step count from
    // __pendingSteps (`__` keys are Pulumi-internal: stored, never displayed).
    const live = plan.planSummary.source === 'live';
    const shown = dryRun === false && live ? settled(news.entity) : plan;
    const inputs: EntityCheckedInputs = {
      ...news,
      settings,
      connection: urlKnown ? redactUrl(news.databaseUrl) : UNKNOWN,
      target: targetOf(spec),
      specHash: specHash(news.entity, loaded.specs),
      plannedSql: shown.plannedSql,
      planSummary: shown.planSummary,
      __pendingSteps: live ? plan.planSummary.steps : 0,
      __checkedAt: Date.now(),
    };
    return { inputs };
  }

  async diff(_id: string, olds: EntityState, news: EntityCheckedInputs): Promise<pulumi.dynamic.DiffResult> {
    // Identity fields missing from old state (written by an older provider) never force a replacement.
    const replaces: string[] = [];
    if (olds.entity !== news.entity) replaces.push('entity');
    if (olds.target && !same(olds.target, news.target)) replaces.push('target');
    if (olds.connection && news.connection !== UNKNOWN && olds.connection !== news.connection) replaces.push('connection');
    const changed =
      replaces.length > 0 ||
      news.connection === UNKNOWN ||
      olds.specHash !== news.specHash ||
      olds.providerVersion !== news.providerVersion ||
      // Defaults filled on both sides: a setting added in a later version is no change for an old state.
      !same({ ...DEFAULT_SETTINGS, ...(olds.settings ?? {}) }, { ...DEFAULT_SETTINGS, ...(news.settings ?? {}) }) ||
      // The live database differs from the spec (drift, or time moved the partition window).
      liveChanges(olds, news);
    return replaces.length > 0 ? { changes: true, replaces, deleteBeforeReplace: true } : { changes: changed };
  }

  async create(inputs: EntityCheckedInputs): Promise<pulumi.dynamic.CreateResult> {
    const outs = await this.apply(inputs);
    return { id: `${outs.schema}.${outs.table}`, outs };
  }

  async update(_id: string, _olds: EntityState, news: EntityCheckedInputs): Promise<pulumi.dynamic.UpdateResult> {
    return { outs: await this.apply(news) };
  }

  async read(id: string, props: EntityState): Promise<pulumi.dynamic.ReadResult> {
    const url = this.urlFor(props);
    const loaded = await engine.load(props.sources);
    const spec = loaded.specs.entities.find((e) => e.entity === props.entity);
    if (!spec) throw new Error(`refresh ${props.entity}: its spec no longer loads from the state (${loaded.errors.join('; ')})`);
    const inspected = await guard(url, () => engine.inspect(spec, loaded.specs, options(props.settings, url)));
    // A dropped table is a deleted resource: an empty id tells the engine so.
    if (!inspected.exists || !inspected.outputs) return { id: '' as string, props: {} };
    const state: EntityState = { ...props, ...plain(inspected.outputs), drift: [...inspected.drift], __readAt: Date.now() };
    return { id, props: state };
  }

  async delete(_id: string, props: EntityState): Promise<void> {
    const settings = { ...DEFAULT_SETTINGS, ...(props.settings ?? {}) };
    if (settings.deletionPolicy !== 'drop') {
      console.log(`specql: ${props.entity}: deletionPolicy is "retain": ${props.schema}.${props.table} and its objects are left in ${props.connection} (only removed from the stack)`);
      return;
    }
    const url = this.urlFor(props);
    const loaded = await engine.load(props.sources);
    const spec = loaded.specs.entities.find((e) => e.entity === props.entity);
    if (!spec) throw new Error(`delete ${props.entity}: its spec no longer loads from the state (${loaded.errors.join('; ')})`);
    const result = await guard(url, () => engine.drop(spec, loaded.specs, options(settings, url)));
    console.log(`specql: ${props.entity}: ${result.summary}`);
    if (result.refused) {
      throw new Error(
        `specql: not dropping ${props.entity}: ${result.refused}. ` +
          `Allow it with allowHazards: ["deletes_data"], or set deletionPolicy: "retain" to keep the data and only forget the resource.`,
      );
    }
  }

  private async apply(inputs: EntityCheckedInputs): Promise<EntityState> {
    const url = inputs.databaseUrl;
    const loaded = await engine.load(inputs.sources);
    if (loaded.errors.length > 0) throw new Error(loaded.errors.join('\n'));
    const applied = await guard(url, () => engine.apply(loaded.specs, { ...options(inputs.settings, url), entities: [inputs.entity] }));
    const outputs = applied.find((o) => o.entity === inputs.entity);
    if (!outputs) throw new Error(`specql: applying ${inputs.entity} returned no outputs for it`);
    const { databaseUrl: _secret, __pendingSteps: _pending, __checkedAt: _checked, ...rest } = inputs;
    // The plan is spent: the state records what a check right now would say. The
    // CLI's preview of the next change diffs these old outputs against the new
    // inputs, so a stale plan here would show every applied statement as removed.
    return { ...rest, ...settled(inputs.entity), ...plain(outputs), drift: [] };
  }

  /** Read and delete get the old outputs only (no secret inputs): the URL comes from stack config when it names the same database. */
  private urlFor(props: EntityState): string {
    const configured = this.config.databaseUrl;
    const fromEnv = process.env.SPECQL_DATABASE_URL;
    let url = props.connection;
    let source = 'the password-less connection (PGPASSWORD / ~/.pgpass supply the password)';
    if (configured && redactUrl(configured) === props.connection) {
      url = configured;
      source = 'databaseUrl from stack config';
    } else if (fromEnv && redactUrl(fromEnv) === props.connection) {
      url = fromEnv;
      source = 'SPECQL_DATABASE_URL';
    }
    console.log(`specql: ${props.entity}: connecting to ${props.connection} with ${source}`);
    return url;
  }
}

function options(settings: EntitySettings, databaseUrl: string): engine.EngineOptions {
  return {
    databaseUrl,
    ...(settings.today ? { today: settings.today } : {}),
    ...(settings.premake !== null && settings.premake !== undefined ? { premake: settings.premake } : {}),
    ...(settings.retention !== null && settings.retention !== undefined ? { retention: settings.retention } : {}),
    refreshOverrides: settings.refreshOverrides ?? {},
    allowHazards: [...(settings.allowHazards ?? [])],
    ...(settings.lockWait ? { lockWaitMs: engine.parseLockWait(settings.lockWait) ?? undefined } : {}),
  };
}

async function planned(
  entity: string,
  specs: engine.Specs,
  settings: EntitySettings,
  url: string | null,
): Promise<{ plannedSql: string; planSummary: PlanSummary }> {
  let note = 'the database URL is not known yet (preview)';
  if (url !== null) {
    try {
      const plan = await engine.plan(specs, { ...options(settings, url), entities: [entity] });
      const summary: PlanSummary = { source: 'live', steps: plan.steps.length, hazards: plan.hazards, note: null };
      const header = plan.steps.length === 0 ? noChangesHeader(entity) : `-- ${entity}: ${plan.steps.length} step(s) planned against ${redactUrl(url)}`;
      return { plannedSql: [header, ...plan.sql].join('\n'), planSummary: summary };
    } catch (error) {
      const why = scrub((error as Error).message, url);
      note = unreachable(error) ? `the database is unreachable (${why})` : `planning against the live database failed (${why})`;
    }
  }
  const script = await engine.freshScript(specs, entity, options(settings, url ?? ''));
  return {
    plannedSql: `-- ${entity}: DDL for a FRESH database, not a live plan: ${note}.\n-- The update plans again against the live database before applying.\n${script}`,
    planSummary: { source: 'fresh-database', steps: 0, hazards: [], note },
  };
}

/**
 * Whether the live database differs from the spec. In an update, check has just
 * planned (news.__pendingSteps). `pulumi refresh` asks the same question the
 * other way round: olds are the outputs read just now and news the inputs
 * stored by the last update, whose plan is stale; then the drift read decides.
 */
function liveChanges(olds: EntityState, news: EntityCheckedInputs): boolean {
  const refreshed = typeof olds.__readAt === 'number' && typeof news.__checkedAt === 'number' && olds.__readAt > news.__checkedAt;
  return refreshed ? (olds.drift ?? []).length > 0 : pendingSteps(news) > 0;
}

/** Steps the live plan at check time had (0 for a fresh-database plan, which says nothing about the live one). */
function pendingSteps(news: EntityCheckedInputs): number {
  if (typeof news.__pendingSteps === 'number') return news.__pendingSteps;
  return news.planSummary?.source === 'live' ? news.planSummary.steps : 0;
}

/** plannedSql and planSummary after a successful apply: the database matches the spec. */
export function settled(entity: string): { plannedSql: string; planSummary: PlanSummary } {
  return { plannedSql: noChangesHeader(entity), planSummary: { source: 'live', steps: 0, hazards: [], note: null } };
}

function noChangesHeader(entity: string): string {
  return `-- ${entity}: no changes: the database matches the spec`;
}

/** Connection-level failures (network, authentication, missing database), as opposed to planning errors. */
function unreachable(error: unknown): boolean {
  const code = String((error as { code?: unknown }).code ?? '');
  return /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN)$/.test(code) || /^(28|3D|08)/.test(code);
}

function targetOf(spec: engine.EntitySpecLike): EntityTarget {
  return { schema: spec.schema, table: spec.table, partitionColumn: spec.partitioning?.column ?? null };
}

/** The spec content that matters: positions (`at`) stripped, so moving a comment changes nothing. */
export function specHash(entity: string, specs: engine.Specs): string {
  const own = specs.entities.find((e) => e.entity === entity);
  const written = new Set<string>();
  for (const action of (own?.actions ?? []) as readonly { kind: string; steps?: readonly { entity: string }[] }[]) {
    for (const step of action.steps ?? []) written.add(step.entity);
  }
  // Of the entities its workflow writes, only what the generated SQL refers to (names,
  // columns, key): their own indexes or views are not this entity's change. Anything
  // missed here still shows up as steps of the live plan, which diff also reads.
  const relevant = specs.entities
    .filter((e) => e.entity === entity || written.has(e.entity))
    .map((e) => (e.entity === entity ? e : { entity: e.entity, schema: e.schema, table: e.table, fields: e.fields, primaryKey: e.primaryKey }))
    .map(withoutPositions);
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex');
}

function withoutPositions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPositions);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== 'at')
        .map(([k, v]) => [k, withoutPositions(v)]),
    );
  }
  return value;
}

/** Outputs must be plain JSON: no undefined (fails the Struct), no Date (becomes {}), no BigInt. */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v === undefined ? null : v)));
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Runs an engine call; whatever it throws leaves without the password. */
async function guard<T>(url: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const e = error as Error;
    e.message = scrub(e.message ?? String(error), url);
    if (e.stack) e.stack = scrub(e.stack, url);
    throw e;
  }
}

export type { EntityOutputs };
