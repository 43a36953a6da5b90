/** What the catalog reader returns: the live database as DbObjects (same normal
 *  forms as the generator's) plus live-only facts the planner needs to choose an
 *  online form and to name hazards. */
import type { DbObject, Grant, QualifiedName } from '../model/objects';
import type { Marker } from '../model/markers';
import type { SqlExpression } from '../model/expression';

/** The state of one index as pg_index sees it. */
export interface LiveIndexFacts {
  /** indisvalid: false after a failed/killed concurrent build, or for an ON ONLY parent not yet complete. */
  readonly valid: boolean;
  /** For an index on a partitioned table: some partition has no attached valid child index yet. */
  readonly incomplete: boolean;
  /** Per partition of the table (partitioned indexes only). */
  readonly children: readonly LiveChildIndex[];
}

export interface LiveChildIndex {
  readonly partition: QualifiedName;
  /** The child index attached to the parent index, if any. */
  readonly attached: { readonly name: string; readonly valid: boolean } | null;
}

/** An index on a partition that is not attached to any parent index: a leftover
 *  of an interrupted ON ONLY + CONCURRENTLY build, or one made by hand. */
export interface LooseIndex extends QualifiedName {
  readonly table: QualifiedName;
  readonly valid: boolean;
  /** Definition in the IndexObject form, to match it with a parent index. */
  readonly signature: string;
}

/** Rows waiting in a DEFAULT partition that is leaving the spec, per interval of the partition key. */
export interface DefaultRows {
  /** `YYYY-MM-DD` start of each interval that holds rows (UTC), with its row count. */
  readonly intervals: readonly { readonly start: string; readonly rows: number }[];
  /** Rows whose partition key is NULL or ±infinity: no range partition can hold them. */
  readonly unplaceable: number;
}

/** Which DEFAULT partition to look into, and how to cut its rows into intervals. */
export interface DefaultRowsCheck {
  /** objectKey of the DEFAULT partition. */
  readonly key: string;
  readonly partition: QualifiedName;
  readonly column: string;
  readonly columnType: string;
  /** `daily` | `weekly` | `monthly` | `yearly`. */
  readonly interval: string;
}

export type LossCount = { readonly rows: number } | { readonly error: string };

/** A lossy type change whose effect on current rows the plan edge counts. */
export interface LossCheck {
  readonly key: string;
  readonly table: QualifiedName;
  readonly column: string;
  readonly from: string;
  readonly to: string;
}

export const lossCheckKey = (table: QualifiedName, column: string, to: string): string => `${table.schema}.${table.name}.${column}:${to}`;

/** A view (materialized or plain) that reads a column of a table in the schemas (pg_depend of its rewrite rule). */
export interface ViewDependency {
  readonly view: QualifiedName;
  readonly materialized: boolean;
  readonly table: QualifiedName;
  readonly column: string;
}

/** A plain-table copy of a materialized view that serves its readers while a column it reads
 *  changes type (render/materialized-views.ts snapshotMaterializedView); marked `snapshot=1`. */
export interface ViewSnapshot {
  readonly entity: string;
  readonly grants: readonly Grant[];
}

export interface LiveCatalog {
  readonly objects: readonly DbObject[];
  /** objectKey → ownership marker (objects without one are not specql's). */
  readonly markers: ReadonlyMap<string, Marker>;
  /** objectKey of a table/partition → pg_class.reltuples (−1: never analysed). */
  readonly rowEstimates: ReadonlyMap<string, number>;
  /** objectKey of a table/partition → exact "holds rows" answers, filled on demand (see rows.ts). */
  readonly hasRows: Map<string, boolean>;
  /** A lossy column type change (lossCheckKey) → how many current rows hold values it would change or reject,
   *  or the error the trial cast raised; filled on demand (see rows.ts). */
  readonly lossyRows: Map<string, LossCount>;
  /** objectKey of a DEFAULT partition → the rows waiting in it (filled on demand, see rows.ts). */
  readonly defaultRows: Map<string, DefaultRows>;
  /** A desired default (defaultFormKey: type + deparsed text) → the canonical form of how this server
   *  prints it, for defaults whose trees differ from the live ones only in that (see defaults.ts). */
  readonly defaultForms: Map<string, SqlExpression | null>;
  /** objectKey of an index → validity facts. */
  readonly indexFacts: ReadonlyMap<string, LiveIndexFacts>;
  /** Unattached indexes on partitions. */
  readonly looseIndexes: readonly LooseIndex[];
  /** Partitions moved to an archive schema (`archived=1` marker), by `schema.name`. */
  readonly archived: ReadonlySet<string>;
  /** pg_cron is installed in this database. */
  readonly pgCron: boolean;
  readonly serverVersion: number;
  readonly schemas: readonly string[];
  /** objectKey of a table, partition, materialized view or function → privileges granted to others. */
  readonly grants: ReadonlyMap<string, readonly Grant[]>;
  /** Which views read which columns (PostgreSQL refuses to retype or drop those columns under them). */
  readonly viewDependencies: readonly ViewDependency[];
  /** objectKey of a partition → its columns' defaults (canonical, like the tables'), to compare with its table's. */
  readonly partitionDefaults: ReadonlyMap<string, ReadonlyMap<string, SqlExpression | null>>;
  /** `schema.name` → a view snapshot table of that name (not listed among the objects). */
  readonly viewSnapshots: ReadonlyMap<string, ViewSnapshot>;
}
