/** The Entity resource's wire shapes: what the dynamic provider receives and returns. */
import type { EntityOutputs } from '../model/objects';
import type { SpecSource } from './discover';

export type DeletionPolicy = 'retain' | 'drop';

/** Per-environment settings (stack config); absent values fall back to the spec. */
export interface EntitySettings {
  readonly premake: number | null;
  /** Partitions kept, in intervals; null = as the spec says. */
  readonly retention: number | null;
  readonly refreshOverrides: Readonly<Record<string, string>>;
  /** Hazard codes allowed to run (`deletes_data`, `rewrites_table`). */
  readonly allowHazards: readonly string[];
  readonly deletionPolicy: DeletionPolicy;
  /** "Now" for the partition window (`YYYY-MM-DD`); null = the real date at plan time. */
  readonly today: string | null;
  /** Longest wait for another apply's lock on the schema (`90s`, `2m`); null = 60 s. Then the update fails naming the holder. */
  readonly lockWait?: string | null;
}

/** What identifies the physical objects: a change here needs a replacement. */
export interface EntityTarget {
  readonly schema: string;
  readonly table: string;
  readonly partitionColumn: string | null;
}

export interface PlanSummary {
  /** `live`: planned against the database; `fresh-database`: the DDL for an empty one (URL unknown or unreachable). */
  readonly source: 'live' | 'fresh-database';
  readonly steps: number;
  readonly hazards: readonly string[];
  /** Why the plan is not live, when it is not. */
  readonly note: string | null;
}

/** Inputs as the program sends them. */
export interface EntityProgramInputs {
  readonly entity: string;
  readonly sources: readonly SpecSource[];
  readonly databaseUrl: string;
  readonly settings: EntitySettings;
  readonly providerVersion: string;
  /** Whether the program runs for a preview (true) or an update (false); check consumes it. */
  readonly __dryRun?: boolean;
}

/** Inputs after check: validated, planned, the exact SQL visible to `pulumi preview --diff`. */
export interface EntityCheckedInputs extends EntityProgramInputs {
  /** The password-less URL: which database (no secret). */
  readonly connection: string;
  readonly target: EntityTarget;
  /** sha256 of the entity's spec (and the specs its workflow writes), source positions left out. */
  readonly specHash: string;
  readonly plannedSql: string;
  readonly planSummary: PlanSummary;
  /** Steps of the live plan at check time (what diff reads; plannedSql of an update is recorded as spent). */
  readonly __pendingSteps?: number;
  /** When check ran (ms): tells a refresh's diff (stored inputs) from an update's (fresh ones). */
  readonly __checkedAt?: number;
}

/** Outputs: the checked inputs minus the secret URL, plus the entity's generated names. */
export type EntityState = Omit<EntityCheckedInputs, 'databaseUrl'> &
  EntityOutputs & {
    /** What refresh found different from the spec (empty after an up). */
    readonly drift: readonly string[];
    /** When a refresh read these outputs (ms); absent after create / update. */
    readonly __readAt?: number;
  };

export const DEFAULT_SETTINGS: EntitySettings = {
  premake: null,
  retention: null,
  refreshOverrides: {},
  allowHazards: [],
  deletionPolicy: 'retain',
  today: null,
  lockWait: null,
};
