/**
 * The validated spec model: what a SpecQL YAML document means once loading and
 * validation (./load.ts, ./validate.ts) have accepted it. Every later stage
 * reads only this model, never raw YAML.
 *
 * Names are PostgreSQL identifiers already (snake_case, unquoted form);
 * `at` records where each piece came from so later stages can still point at
 * the file, line and column.
 */
import type { SourcePosition } from '../diagnostics/diagnostic';
import type { SqlExpression } from '../model/expression';

/** A column type in PostgreSQL's canonical spelling (as `format_type` prints it),
 *  e.g. `uuid`, `integer`, `numeric(10,2)`, `timestamp with time zone`, `character varying(40)`. */
export type SqlType = string;

export interface FieldSpec {
  readonly name: string;
  readonly type: SqlType;
  /** Spelling used in the spec (`decimal(10,2)`), kept for messages. */
  readonly specType: string;
  readonly notNull: boolean;
  /** The default, checked against the allow-list and deparsed (parenthesised unless a primary). */
  readonly default: SqlExpression | null;
  readonly at: SourcePosition;
}

export type IndexMethod = 'btree' | 'brin' | 'hash' | 'gist' | 'gin';

export interface IndexColumnSpec {
  readonly column: string;
  readonly descending: boolean;
}

export interface IndexSpec {
  readonly name: string;
  readonly method: IndexMethod;
  readonly columns: readonly IndexColumnSpec[];
  readonly unique: boolean;
  /** BRIN only: `pages_per_range` (default 128 when the spec omits it). */
  readonly pagesPerRange: number | null;
  readonly at: SourcePosition;
}

export type PartitionInterval = 'daily' | 'weekly' | 'monthly' | 'yearly';

export interface PartitioningSpec {
  readonly strategy: 'range';
  readonly column: string;
  readonly interval: PartitionInterval;
  /**
   * First partition's lower bound, `YYYY-MM-DD` in UTC; aligned to the interval.
   * Null when the spec omits it: then the window starts at the interval
   * containing the generator's `today` (an input), so the loaded model and the
   * Pulumi spec hash stay the same whatever the date.
   */
  readonly start: string | null;
  /** Partitions kept ready ahead of "now" (pg_partman's premake). */
  readonly premake: number;
  /** Partitions older than this many intervals are detached into `archiveSchema`; null keeps all. */
  readonly retention: number | null;
  readonly archiveSchema: string;
  /** A DEFAULT partition catches rows outside the window (always on unless disabled). */
  readonly defaultPartition: boolean;
  readonly at: SourcePosition;
}

export interface BulkOperationAction {
  readonly kind: 'bulk_operation';
  readonly name: string;
  readonly operation: 'insert';
  /** The jsonb parameter's name, from `batch_field` (`transactions` → `p_transactions`). */
  readonly batchField: string;
  readonly hints: {
    readonly disableTriggers: boolean;
    readonly disableIndexes: boolean;
    readonly copyMode: boolean;
  };
  readonly at: SourcePosition;
}

/** One `SET column = expression` of a workflow step; expressions read the target's
 *  columns and `<alias>.<field>` of the inserted row (see WorkflowAction.rowAlias). */
export interface WorkflowAssignment {
  readonly column: string;
  /** Checked and deparsed; still names the inserted row by its alias. */
  readonly expression: SqlExpression;
  readonly at: SourcePosition;
}

export interface WorkflowStep {
  readonly name: string;
  readonly action: 'update';
  /** Target entity name as written (`ProductMetrics`). */
  readonly entity: string;
  readonly assignments: readonly WorkflowAssignment[];
  /** `product_id = transaction.product_id [AND ...]`: equalities naming the target's key; checked and deparsed. */
  readonly condition: SqlExpression;
  readonly at: SourcePosition;
}

export interface WorkflowAction {
  readonly kind: 'workflow';
  readonly name: string;
  /** The event that fires it; `<anything>_inserted` means AFTER INSERT on the entity's table. */
  readonly trigger: string;
  /** How steps name the inserted row: the trigger without `_inserted` (`reading_inserted` → `reading`). */
  readonly rowAlias: string;
  readonly hints: {
    readonly asyncExecution: boolean;
    readonly batchUpdates: boolean;
    readonly materializedViews: boolean;
  };
  readonly steps: readonly WorkflowStep[];
  readonly at: SourcePosition;
}

export type ActionSpec = BulkOperationAction | WorkflowAction;

export interface MaterializedViewSpec {
  readonly name: string;
  readonly refreshStrategy: 'concurrent' | 'blocking';
  /** As written (`1 hour`), and normalised to whole seconds for scheduling. */
  readonly refreshInterval: string;
  readonly refreshSeconds: number;
  /** Columns the view exposes: entity fields by default, plus derived ones (checked, deparsed). */
  readonly columns: readonly { readonly name: string; readonly expression: SqlExpression }[];
  /** Rows kept (a WHERE over the entity's columns, no volatile functions), checked and deparsed. */
  readonly filter: SqlExpression | null;
  /** Unique key the concurrent refresh needs: the entity's key by default. */
  readonly uniqueKey: readonly string[];
  /** (extension) `view.cache`: top rows written to Redis after each refresh by `specql worker`. */
  readonly cache?: ViewCacheSpec | null;
  readonly at: SourcePosition;
}

/** `view.cache`: which rows of the view the worker writes to Redis, as a JSON array. */
export interface ViewCacheSpec {
  readonly key: string;
  readonly orderBy: { readonly column: string; readonly descending: boolean };
  readonly limit: number;
  readonly ttlSeconds: number;
  /** View columns to include; null: all of them. */
  readonly columns: readonly string[] | null;
  readonly at: SourcePosition;
}

/** Budgets of `specql verify` and the pgTAP tests (the `verify:` extension; ./verify-settings.ts). */
export interface VerifySpec {
  /** Rows each bulk check loads. */
  readonly bulkRows: number;
  readonly bulkLoadMs: number;
  readonly queryMs: number;
  readonly refreshMs: number;
  readonly readerWaitMs: number;
  /** Largest per-row insert time with the workflow trigger ÷ without it. */
  readonly triggerOverhead: number;
  readonly clients: number;
  readonly clientP99Ms: number;
}

export interface EntitySpec {
  /** As written: `SalesTransaction`. */
  readonly entity: string;
  readonly schema: string;
  /** The table: snake_case of `entity` unless `table:` overrides it. */
  readonly table: string;
  readonly description: string | null;
  readonly fields: readonly FieldSpec[];
  /** Key columns; for a partitioned entity the partition column is appended if missing. */
  readonly primaryKey: readonly string[];
  readonly indexes: readonly IndexSpec[];
  readonly partitioning: PartitioningSpec | null;
  readonly actions: readonly ActionSpec[];
  readonly materializedView: MaterializedViewSpec | null;
  readonly verify: VerifySpec;
  readonly at: SourcePosition;
}

/** All entities loaded together; cross-entity references are resolved against this. */
export interface SpecSet {
  readonly entities: readonly EntitySpec[];
}
