/**
 * A migration step: one SQL statement plus everything an operator needs to
 * judge it — the object it touches, what it does, the locks it takes on which
 * relations, whether it may run in a transaction, its timeouts and its hazards.
 * All of it is data: the executor, the gate and the formats read these fields
 * and never the SQL text. Hazards are data, not errors: the apply gate
 * (plan/gate.ts) refuses data-losing ones unless allowed by name.
 */
import type { QualifiedName } from './objects';

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

/** Lock modes in strength order (a stronger mode conflicts with at least what a weaker one does). */
export const LOCK_STRENGTH: readonly LockMode[] = [
  'none', 'ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE',
];

export const strongest = (modes: readonly LockMode[]): LockMode =>
  modes.reduce<LockMode>((a, b) => (LOCK_STRENGTH.indexOf(b) > LOCK_STRENGTH.indexOf(a) ? b : a), 'none');

/** One relation lock a statement takes (the strongest mode on that relation), as measured on
 *  PostgreSQL 15 with pg_locks (test/render/locks.test.ts checks every renderer against it).
 *  Relations the statement itself creates are left out: nobody else can see them yet. */
export interface RelationLock {
  /** A table, partition, index or materialized view. */
  readonly relation: QualifiedName;
  readonly mode: LockMode;
}

/** What a step does, for the executor, the gate and the formats (never read from the SQL). */
export type StepAction =
  | 'create'
  | 'replace'
  | 'alter'
  | 'drop'
  | 'rename'
  | 'build'
  | 'attach'
  | 'detach'
  | 'lock'
  | 'move_rows'
  /** A workflow queue's rows are processed into the metrics (before the queue goes away). */
  | 'drain'
  /** Waits for statements that began before an earlier step committed (the writer-path switch). */
  | 'wait'
  | 'comment'
  | 'grant'
  | 'revoke'
  | 'schedule'
  | 'unschedule'
  | 'refresh';

/** A CONCURRENTLY index build: what the executor watches (progress) and cleans up after a
 *  failure (an INVALID index of that name, or REINDEX's `_ccnew` leftovers) before a retry. */
export interface IndexBuild {
  readonly index: QualifiedName;
  readonly mode: 'create' | 'reindex';
}

export interface PlanStep {
  readonly sql: string;
  /** `objectKey()` of what it belongs to, e.g. `index:analytics.idx_sales_transaction_date`. */
  readonly object: string;
  readonly action: StepAction;
  /** Human summary: `create index idx_x on analytics.t (concurrently, partition 3/14)`. */
  readonly description: string;
  /** Every relation lock the statement takes. */
  readonly locks: readonly RelationLock[];
  /** The strongest of `locks` ('none' when it takes none): what the plan's summary shows. */
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
  /** The partition a per-partition step works on: plans show such repeated steps as one group. */
  readonly partition?: QualifiedName;
  /** Set on CONCURRENTLY index builds and rebuilds. */
  readonly indexBuild?: IndexBuild;
}

/** Defaults: DDL waits briefly for locks (and is retried); concurrent builds may run long. */
export const DEFAULT_LOCK_TIMEOUT_MS = 2_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;
export const INDEX_BUILD_STATEMENT_TIMEOUT_MS = 6 * 60 * 60 * 1000;
