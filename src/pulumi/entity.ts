/**
 * `Entity`: one SpecQL entity as a Pulumi dynamic resource.
 *
 * Pulumi serializes the provider object into the state (`__provider`) and runs
 * it in a separate process. So the object serialized here is tiny: each
 * handler `require()`s the real implementation (./provider, an ordinary
 * module) at call time. Nothing else is captured: no pg client or pool, no
 * database URL (it travels as a secret input only, and outputs never hold it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { stringify } from 'yaml';
import type { EntityOutputs, RefreshSchedule } from '../model/objects';
import { readSources, type SpecSource } from './discover';
import { DEFAULT_SETTINGS, type DeletionPolicy, type EntitySettings } from './types';

/** Bump when the provider's behaviour changes: old resources then show a change and run the new code. */
export const PROVIDER_PROTOCOL = 1;

/** `<package version>+p<protocol>`: part of every Entity's inputs, so a provider upgrade shows up in previews. */
export const PROVIDER_VERSION = `${packageVersion()}+p${PROVIDER_PROTOCOL}`;

function packageVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
  } catch {
    return '0.0.0';
  }
}

/** Absolute path of the implementation module next to this one (src/pulumi or dist/pulumi). */
const IMPLEMENTATION = path.join(__dirname, 'provider');

/**
 * Finds ./provider from inside the provider process: the path recorded at
 * serialization time, else the installed package, else dist/ under the
 * project root (state written on another machine).
 */
function implementation(): any {
  const candidates = [IMPLEMENTATION, 'pulumi-specql/dist/pulumi/provider', require('path').resolve('dist/pulumi/provider')];
  let last: unknown;
  for (const candidate of candidates) {
    try {
      return require(candidate);
    } catch (error) {
      if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
      last = error;
    }
  }
  throw last;
}

/** What gets serialized: configure keeps the stack config, every handler delegates. */
const serializedProvider: pulumi.dynamic.ResourceProvider & { cfg?: { databaseUrl?: string } } = {
  async configure(req: pulumi.dynamic.ConfigureRequest) {
    (this as { cfg?: { databaseUrl?: string } }).cfg = {
      databaseUrl: req.config.get('databaseUrl') ?? req.config.get('specql:databaseUrl'),
    };
  },
  async check(olds: any, news: any) {
    return new (implementation().EntityProvider)(this.cfg).check(olds, news);
  },
  async diff(id: string, olds: any, news: any) {
    return new (implementation().EntityProvider)(this.cfg).diff(id, olds, news);
  },
  async create(inputs: any) {
    return new (implementation().EntityProvider)(this.cfg).create(inputs);
  },
  async update(id: string, olds: any, news: any) {
    return new (implementation().EntityProvider)(this.cfg).update(id, olds, news);
  },
  async read(id: string, props: any) {
    return new (implementation().EntityProvider)(this.cfg).read(id, props);
  },
  async delete(id: string, props: any) {
    return new (implementation().EntityProvider)(this.cfg).delete(id, props);
  },
};

export interface EntitySettingsArgs {
  /** Partitions kept ready ahead of today (overrides the spec's premake). */
  readonly premake?: pulumi.Input<number>;
  /** Partitions kept, in intervals (overrides the spec). */
  readonly retention?: pulumi.Input<number>;
  /** Refresh interval per materialized view (`{ product_performance_mv: "15 minutes" }`). */
  readonly refreshOverrides?: pulumi.Input<Record<string, string>>;
  /** Hazards allowed to run: `deletes_data`, `rewrites_table`. */
  readonly allowHazards?: pulumi.Input<pulumi.Input<string>[]>;
  /** What `pulumi destroy` (or removing the spec) does: `retain` (default) leaves the objects, `drop` drops them. */
  readonly deletionPolicy?: pulumi.Input<DeletionPolicy>;
  /** Pin "today" (`YYYY-MM-DD`) for the partition window; by default the date of each run. */
  readonly today?: pulumi.Input<string>;
  /** Longest wait for another apply's lock (`90s`, `2m`, `500ms`, or seconds); default 60 s, then the update fails naming the holder. */
  readonly lockWait?: pulumi.Input<string>;
}

export interface EntityArgs extends EntitySettingsArgs {
  /** The entity's name as written in its spec (`SalesTransaction`). */
  readonly entity: pulumi.Input<string>;
  /** Where the spec is: a file, plus the files of the entities its workflow writes. */
  readonly specFile?: string;
  readonly relatedFiles?: readonly string[];
  /** Or the texts themselves (`{ file, text }`; `file` is what messages print). */
  readonly sources?: pulumi.Input<readonly SpecSource[]>;
  /**
   * Or the spec as a parsed YAML document (`{ entity, schema, fields, … }`),
   * written out as YAML for validation; check failures then point into that
   * generated text (`<name>.inline.yaml`). Related specs go in `sources`.
   */
  readonly spec?: Readonly<Record<string, unknown>>;
  /** PostgreSQL URL; always stored as a secret. */
  readonly databaseUrl: pulumi.Input<string>;
}

/** Stack outputs per entity: generated names, partition window, refresh schedules. Plain JSON. */
export type EntityStackOutputs = EntityOutputs;

export class Entity extends pulumi.dynamic.Resource {
  /** EntityOutputs, as the engine reports them after apply (or refresh). */
  declare readonly entity: pulumi.Output<string>;
  declare readonly schema: pulumi.Output<string>;
  declare readonly table: pulumi.Output<string>;
  declare readonly partitions: pulumi.Output<string[]>;
  declare readonly defaultPartition: pulumi.Output<string | null>;
  declare readonly indexes: pulumi.Output<string[]>;
  declare readonly functions: pulumi.Output<string[]>;
  declare readonly triggers: pulumi.Output<string[]>;
  declare readonly queue: pulumi.Output<string | null>;
  declare readonly materializedViews: pulumi.Output<string[]>;
  declare readonly partitionWindow: pulumi.Output<EntityOutputs['partitionWindow']>;
  /** What drains each workflow queue (specql worker on NOTIFY, and pg_cron where present). */
  declare readonly queueSchedules: pulumi.Output<EntityOutputs['queueSchedules']>;
  declare readonly refreshSchedules: pulumi.Output<RefreshSchedule[]>;
  declare readonly maintenanceSchedule: pulumi.Output<EntityOutputs['maintenanceSchedule']>;
  /** The SQL the last check planned (the preview shows it as an input change). */
  declare readonly plannedSql: pulumi.Output<string>;
  declare readonly specHash: pulumi.Output<string>;
  declare readonly connection: pulumi.Output<string>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: EntityArgs, opts?: pulumi.CustomResourceOptions) {
    const sources = entitySources(name, args);
    const settings = pulumi.output({
      premake: args.premake ?? null,
      retention: args.retention ?? null,
      refreshOverrides: args.refreshOverrides ?? {},
      allowHazards: args.allowHazards ?? [],
      deletionPolicy: args.deletionPolicy ?? DEFAULT_SETTINGS.deletionPolicy,
      today: args.today ?? null,
      lockWait: args.lockWait ?? null,
    }) as pulumi.Output<EntitySettings>;
    const inputs: Record<string, pulumi.Input<unknown>> = {
      entity: args.entity,
      sources,
      databaseUrl: pulumi.secret(args.databaseUrl),
      settings,
      providerVersion: PROVIDER_VERSION,
      // Preview or update (`__` keys are internal to Pulumi: never displayed). Check
      // records a spent plan in the update's state, see EntityProvider.check.
      __dryRun: pulumi.runtime.isDryRun(),
      // Computed by check (inputs) or by the provider (outputs): declared so the SDK resolves them.
      connection: undefined,
      target: undefined,
      specHash: undefined,
      plannedSql: undefined,
      planSummary: undefined,
      schema: undefined,
      table: undefined,
      partitions: undefined,
      defaultPartition: undefined,
      indexes: undefined,
      functions: undefined,
      triggers: undefined,
      queue: undefined,
      materializedViews: undefined,
      partitionWindow: undefined,
      queueSchedules: undefined,
      refreshSchedules: undefined,
      maintenanceSchedule: undefined,
      drift: undefined,
    };
    super(serializedProvider, name, inputs, { ...opts, deleteBeforeReplace: true }, 'specql', 'Entity');
  }
}

function entitySources(name: string, args: EntityArgs): pulumi.Input<readonly SpecSource[]> {
  if (args.specFile) return readSources([args.specFile, ...(args.relatedFiles ?? [])].filter(unique));
  if (args.spec) {
    const inline: SpecSource = { file: `${name}.inline.yaml`, text: stringify(args.spec) };
    return pulumi.output(args.sources ?? []).apply((related) => [inline, ...related]);
  }
  if (args.sources) return args.sources;
  throw new Error(`Entity ${name}: give specFile, sources or spec`);
}

function unique<T>(value: T, index: number, all: readonly T[]): boolean {
  return all.indexOf(value) === index;
}
