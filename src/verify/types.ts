/**
 * What `specql verify` checks and reports. A check is derived from the specs
 * (./derive.ts) and runs either inside the database (a plpgsql body shared
 * with the pgTAP tests, ./performance-checks.ts and ./structural-checks.ts) or from several client sessions
 * (./client-checks.ts) when it needs concurrency.
 */
import type { Client } from 'pg';

/** The seed's eight performance tests, then the structural checks, in report order. */
export const CHECK_KINDS = [
  'bulk_load',
  'partition_pruning',
  'view_refresh',
  'concurrent_reindex',
  'trigger_overhead',
  'analytics_query',
  'temp_spill',
  'concurrent_clients',
  'indexes_valid',
  'future_partitions',
  'default_empty',
  'definer_search_path',
] as const;

export type CheckKind = (typeof CHECK_KINDS)[number];

export interface CheckOutcome {
  readonly ok: boolean;
  /** Always printed, pass or fail: `84 ms for 1000 rows`. */
  readonly measured: string;
  /** Extra lines for a failure (the YAML block of the TAP output). */
  readonly details: readonly string[];
}

interface CheckBase {
  readonly kind: CheckKind;
  /** Owning entity; null for schema-wide checks. */
  readonly entity: string | null;
  /** The schema it belongs to (pgTAP groups tests by schema). */
  readonly schema: string;
  readonly description: string;
}

/** Runs inside the database: a plpgsql block that sets v_ok, v_measured and v_details. */
export interface ServerCheck extends CheckBase {
  readonly where: 'server';
  /** Variable declarations the block needs (besides v_ok, v_measured, v_details). */
  readonly declarations: readonly string[];
  readonly block: string;
  /** statement_timeout for specql verify's call (the block's own budget plus a margin). */
  readonly timeoutMs: number;
}

export interface ClientContext {
  readonly databaseUrl: string;
  readonly client: Client;
}

/** Needs several sessions (concurrency) or runs outside a transaction (REINDEX CONCURRENTLY). */
export interface ClientCheck extends CheckBase {
  readonly where: 'client';
  /** Why pgTAP cannot run it (it is a pgTAP skip there). */
  readonly pgTapSkip: string;
  run(ctx: ClientContext): Promise<CheckOutcome>;
}

export type Check = ServerCheck | ClientCheck;

export interface CheckResult {
  readonly number: number;
  readonly kind: CheckKind;
  readonly entity: string | null;
  readonly description: string;
  readonly ok: boolean;
  readonly measured: string;
  readonly details: readonly string[];
  readonly durationMs: number;
}
