/** What the catalog reader returns: the live database as DbObjects (same normal
 *  forms as the generator's) plus live-only facts the planner needs to choose an
 *  online form and to name hazards. */
import type { DbObject, QualifiedName } from '../model/objects';
import type { Marker } from '../model/markers';

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

export interface LiveCatalog {
  readonly objects: readonly DbObject[];
  /** objectKey → ownership marker (objects without one are not specql's). */
  readonly markers: ReadonlyMap<string, Marker>;
  /** objectKey of a table/partition → pg_class.reltuples (−1: never analysed). */
  readonly rowEstimates: ReadonlyMap<string, number>;
  /** objectKey of a table/partition → exact "holds rows" answers, filled on demand (see rows.ts). */
  readonly hasRows: Map<string, boolean>;
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
}
