/**
 * A migration step: one SQL statement plus everything an operator needs to
 * judge it — the object it touches, the lock it takes, whether it may run in
 * a transaction, its timeouts and its hazards. Hazards are data, not errors:
 * the apply gate (plan/gate.ts) refuses data-losing ones unless allowed by name.
 */

/** PostgreSQL table-level lock modes, weakest to strongest (docs: "Table-Level Locks"). */
export type LockMode =
  | 'none'
  | 'ACCESS SHARE'
  | 'ROW SHARE'
  | 'ROW EXCLUSIVE'
  | 'SHARE UPDATE EXCLUSIVE'
  | 'SHARE'
  | 'SHARE ROW EXCLUSIVE'
  | 'EXCLUSIVE'
  | 'ACCESS EXCLUSIVE';

export type HazardCode =
  /** Rows or a whole object holding data would be lost. Refused by default. */
  | 'deletes_data'
  /** The table is rewritten (type change): long ACCESS EXCLUSIVE. Refused by default. */
  | 'rewrites_table'
  /** Holds ACCESS EXCLUSIVE briefly (kept short by lock_timeout). */
  | 'access_exclusive_lock'
  /** Builds an index: CPU and I/O, concurrently where possible. */
  | 'index_build'
  /** Drops or replaces a function other objects call. */
  | 'drops_function_used_by_others'
  /** A materialized view is rebuilt: readers keep the old one until the swap. */
  | 'view_rebuild'
  /** Rows are moved between partitions (DEFAULT → new range). */
  | 'moves_rows'
  /** Narrowing or otherwise validating existing data may fail on current rows. */
  | 'may_fail_on_existing_data'
  /** A partition leaves its table (retention) and moves to the archive schema; its rows are kept there. */
  | 'detaches_partition';

export interface Hazard {
  readonly code: HazardCode;
  readonly message: string;
}

/** Hazards that are refused unless `--allow-hazards` names them. */
export const BLOCKING_HAZARDS: ReadonlySet<HazardCode> = new Set(['deletes_data', 'rewrites_table']);

export interface PlanStep {
  readonly sql: string;
  /** `objectKey()` of what it touches, e.g. `index:analytics.idx_sales_transaction_date`. */
  readonly object: string;
  /** Human summary: `create index idx_x on analytics.t (concurrently, partition 3/14)`. */
  readonly description: string;
  readonly lock: LockMode;
  /** false for CONCURRENTLY operations, which cannot run in a transaction block. */
  readonly transactional: boolean;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly hazards: readonly Hazard[];
  /** Consecutive transactional steps with the same group run in ONE transaction
   *  (all or nothing), e.g. moving DEFAULT rows into a new partition, or a view swap.
   *  Without it the executor groups consecutive transactional steps by `object`. */
  readonly group?: string;
}

/** Defaults: DDL waits briefly for locks (and is retried); concurrent builds may run long. */
export const DEFAULT_LOCK_TIMEOUT_MS = 2_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;
export const INDEX_BUILD_STATEMENT_TIMEOUT_MS = 6 * 60 * 60 * 1000;
