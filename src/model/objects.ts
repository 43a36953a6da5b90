/**
 * The database object model shared by the generator (spec → desired objects),
 * the catalog reader (live database → objects) and the planner (desired vs
 * live). Both sides produce exactly these shapes, normalised the same way, so
 * comparing them is a plain structural comparison.
 *
 * Normal forms (both sides must respect them):
 * - identifiers unquoted, as stored in pg_catalog (never longer than 63 bytes);
 * - types as `format_type()` prints them (`numeric(10,2)`, `timestamp with time zone`);
 * - range bounds as UTC ISO strings `YYYY-MM-DDTHH:MM:SSZ`;
 * - function bodies exactly as sent between the dollar quotes (prosrc).
 */
import type { SqlExpression } from './expression';

export interface QualifiedName {
  readonly schema: string;
  readonly name: string;
}

export interface SchemaObject {
  readonly kind: 'schema';
  readonly name: string;
}

export interface ExtensionObject {
  readonly kind: 'extension';
  readonly name: string;
  /** Where its functions and operator classes go: named, never left to the session's search_path. */
  readonly schema: string;
  /** Why we need it, for plan output (`GiST on text columns`). */
  readonly reason: string;
}

/**
 * A privilege someone granted on a live object (read from relacl / proacl), carried
 * across every rebuild: the object's owner and, for functions, PUBLIC (managed by
 * `revokePublic`) are left out. `grantee` is a role name or `PUBLIC`.
 */
export interface Grant {
  readonly grantee: string;
  /** `SELECT`, `EXECUTE`, … as aclexplode() names it. */
  readonly privilege: string;
  readonly grantable: boolean;
}

export interface ColumnDef {
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
  /** Deparsed (./expression.ts): from a checked spec tree, or as pg_get_expr printed it for a live column. */
  readonly default: SqlExpression | null;
  /** `GENERATED ALWAYS AS IDENTITY` (queue ids); false for ordinary columns. */
  readonly identity: boolean;
}

export interface ConstraintDef {
  readonly name: string;
  readonly kind: 'primary_key' | 'unique';
  readonly columns: readonly string[];
}

export interface TableObject extends QualifiedName {
  readonly kind: 'table';
  readonly columns: readonly ColumnDef[];
  readonly constraints: readonly ConstraintDef[];
  /** Set for a partitioned parent. */
  readonly partitionBy: { readonly strategy: 'range'; readonly column: string } | null;
  /** Which spec entity produced it (outputs and messages); null for helper tables read live. */
  readonly entity: string | null;
  /** Role of the table in the entity: its main table, or a helper such as the workflow queue;
   *  `run_log` is the worker's own record of runs (specql.run_log, no entity). */
  readonly role: 'entity' | 'queue' | 'run_log';
  /** The entity's `description` (desired side only): written after the ownership marker in the table's comment. */
  readonly description?: string | null;
  /** Columns a workflow step adds to (`col + E`; desired side only): NULL in them stays NULL for good. */
  readonly accumulated?: readonly string[];
}

export interface PartitionObject extends QualifiedName {
  readonly kind: 'partition';
  readonly parent: QualifiedName;
  readonly bound:
    | { readonly kind: 'range'; readonly from: string; readonly to: string }
    | { readonly kind: 'default' };
}

export interface IndexColumn {
  readonly column: string;
  readonly descending: boolean;
  /** Only when not the type's default operator class. */
  readonly opclass: string | null;
}

export interface IndexObject extends QualifiedName {
  readonly kind: 'index';
  readonly table: QualifiedName;
  readonly method: 'btree' | 'brin' | 'hash' | 'gist' | 'gin';
  readonly columns: readonly IndexColumn[];
  readonly unique: boolean;
  /** Storage parameters, e.g. `{ pages_per_range: '128' }` for BRIN. Values as text, as in reloptions. */
  readonly with: Readonly<Record<string, string>>;
  /** For an index on a partitioned table: the per-partition index names (ON ONLY + ATTACH form). */
  readonly partitioned: boolean;
}

export interface FunctionArg {
  readonly name: string;
  readonly type: string;
  readonly default?: SqlExpression;
}

export interface FunctionObject extends QualifiedName {
  readonly kind: 'function';
  readonly args: readonly FunctionArg[];
  /** As format_type / pg_get_function_result prints it, e.g. `integer`, `trigger`, `void`. */
  readonly returns: string;
  readonly language: 'plpgsql' | 'sql';
  readonly body: string;
  readonly volatility: 'volatile' | 'stable' | 'immutable';
  readonly securityDefiner: boolean;
  /** Pinned search_path (`pg_catalog, pg_temp`) — mandatory for SECURITY DEFINER. */
  readonly searchPath: string | null;
  /** EXECUTE revoked from PUBLIC. */
  readonly revokePublic: boolean;
  /** What it is for, shown in plans and outputs (`bulk insert`, `queue processor`). */
  readonly purpose: string;
}

export interface TriggerObject {
  readonly kind: 'trigger';
  readonly name: string;
  readonly table: QualifiedName;
  readonly timing: 'AFTER' | 'BEFORE';
  readonly events: readonly ('INSERT' | 'UPDATE' | 'DELETE')[];
  readonly level: 'STATEMENT' | 'ROW';
  /** `REFERENCING NEW TABLE AS <name>` for statement-level triggers that read the rows. */
  readonly newTable: string | null;
  readonly function: QualifiedName;
}

export interface MaterializedViewObject extends QualifiedName {
  readonly kind: 'materialized_view';
  /** The SELECT, formatted for humans, deterministic. */
  readonly query: string;
  readonly uniqueIndex: { readonly name: string; readonly columns: readonly string[] };
  readonly refresh: {
    readonly strategy: 'concurrent' | 'blocking';
    readonly interval: string;
    readonly seconds: number;
    /** Equivalent cron expression (pg_cron times are GMT). */
    readonly cron: string;
    /** The function that refreshes it. */
    readonly function: QualifiedName;
  };
}

/** A pg_cron job; only planned when the server has pg_cron. */
export interface CronJobObject {
  readonly kind: 'cron_job';
  readonly name: string;
  readonly schedule: string;
  readonly command: string;
}

export type DbObject =
  | SchemaObject
  | ExtensionObject
  | TableObject
  | PartitionObject
  | IndexObject
  | FunctionObject
  | TriggerObject
  | MaterializedViewObject
  | CronJobObject;

export type ObjectKind = DbObject['kind'];

/** A stable identity for diffing: `index:analytics.idx_sales_transaction_date`. */
export function objectKey(object: DbObject): string {
  switch (object.kind) {
    case 'schema':
    case 'extension':
    case 'cron_job':
      return `${object.kind}:${object.name}`;
    case 'trigger':
      return `trigger:${object.table.schema}.${object.table.name}.${object.name}`;
    case 'function':
      return `function:${object.schema}.${object.name}(${object.args.map((a) => a.type).join(',')})`;
    default:
      return `${object.kind}:${object.schema}.${object.name}`;
  }
}

/** What the generator produces for one or more entities. */
export interface DesiredState {
  /** In creation order: dependencies first. */
  readonly objects: readonly DbObject[];
  /** Per entity: the names users see in outputs. */
  readonly entities: readonly EntityOutputs[];
}

/** Plain JSON (no undefined, no Date, no BigInt): also the Pulumi stack outputs. */
export interface EntityOutputs {
  readonly entity: string;
  readonly schema: string;
  readonly table: string;
  readonly partitions: readonly string[];
  readonly defaultPartition: string | null;
  readonly indexes: readonly string[];
  readonly functions: readonly string[];
  readonly triggers: readonly string[];
  readonly queue: string | null;
  readonly materializedViews: readonly string[];
  readonly partitionWindow: {
    readonly interval: string;
    readonly from: string;
    readonly to: string;
    readonly premake: number;
    readonly retention: number | null;
    /** Partitions ending at or before this bound are archived (`YYYY-MM-DDT00:00:00Z`); null keeps all. */
    readonly retentionCutoff: string | null;
    readonly archiveSchema: string;
  } | null;
  /** What drains each workflow queue: the worker (woken by NOTIFY) and, with pg_cron, a job. */
  readonly queueSchedules: readonly QueueSchedule[];
  readonly refreshSchedules: readonly RefreshSchedule[];
  /** The daily partition maintenance call, for partitioned entities; null otherwise. */
  readonly maintenanceSchedule: MaintenanceSchedule | null;
}

export interface MaintenanceSchedule {
  /** `<schema>.<table>_maintain_partitions`, called with no argument (today in UTC). */
  readonly function: string;
  /** Five-field cron expression, GMT (pg_cron's time zone). */
  readonly cron: string;
  /** `pg_cron` when a job is registered in the database, else `worker`: `specql worker` runs `command`. */
  readonly runner: 'pg_cron' | 'worker';
  readonly jobName: string;
  readonly command: string;
}

/**
 * A workflow queue and what drains it. `specql worker` always can (LISTEN on
 * `channel`, woken once per inserting statement, polling as a fallback); with
 * pg_cron a job drains it too, so a database with pg_cron needs no worker.
 */
export interface QueueSchedule {
  readonly queue: string;
  /** `<schema>.<action>_process`, called with `batchSize` until it returns 0. */
  readonly processor: string;
  readonly batchSize: number;
  /** NOTIFY channel the enqueue trigger signals (payload: `<schema>.<queue>`). */
  readonly channel: string;
  readonly runner: 'pg_cron' | 'worker';
  readonly jobName: string;
  /** pg_cron schedule (`30 seconds` on pg_cron 1.5+, else every minute), or the worker's wake-up rule. */
  readonly schedule: string;
  /** What the pg_cron job runs: the processor in a loop, committing after each batch. */
  readonly command: string;
}

export interface RefreshSchedule {
  readonly view: string;
  readonly interval: string;
  readonly cron: string;
  readonly strategy: 'concurrent' | 'blocking';
  /** `pg_cron` when a job is registered in the database, else `worker`: `specql worker` runs `command`. */
  readonly runner: 'pg_cron' | 'worker';
  readonly jobName: string;
  readonly command: string;
}

/** Inputs of generation that are not in the spec: they must be explicit for determinism. */
export interface GenerateOptions {
  /** "Now" as `YYYY-MM-DD` (UTC): the partition window is computed from it. */
  readonly today: string;
  /** Overrides per environment (stack config); fall back to the spec. */
  readonly premake?: number;
  readonly retention?: number | null;
  /** Whether pg_cron jobs are part of the desired state (only when the server has it). */
  readonly pgCron?: boolean;
  /** pg_cron 1.5+ (schedules like `30 seconds`); older versions run jobs at most every minute. */
  readonly pgCronSeconds?: boolean;
  /** Override refresh intervals per view name. */
  readonly refreshOverrides?: Readonly<Record<string, string>>;
}
