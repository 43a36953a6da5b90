/**
 * Size limits of a spec, and the numeric ranges of its settings: one place,
 * documented in docs/spec-reference.md ("Limits"). They exist so that loading
 * stays bounded and linear (a YAML alias bomb or a 50 MB scalar is refused at
 * its position instead of exhausting memory or time), and so that nothing
 * validates that PostgreSQL would refuse later (1,600 columns per table,
 * 32 columns per index).
 */

/** A spec file larger than this is not parsed at all (4 MiB; the seed's specs are a few KB). */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** Nesting of YAML collections (maps and lists) in one document; a spec needs about 6. */
export const MAX_NESTING_DEPTH = 32;

/** One scalar (a name, an expression, a description), in characters. */
export const MAX_SCALAR_CHARS = 65_536;

/**
 * Nodes that aliases (`*name`) may add to one document when expanded. Aliases
 * are fine for sharing a field definition; ten levels of aliases of aliases
 * (the "billion laughs") expand to millions of nodes and are refused here.
 */
export const MAX_ALIAS_EXPANSION = 10_000;

/** Aliases in one document (the YAML library resolves each one by a scan of the document's anchors). */
export const MAX_ALIASES = 1000;

/** PostgreSQL's limit on the columns of a table or materialized view (MaxHeapAttributeNumber). */
export const POSTGRES_MAX_COLUMNS = 1600;

/** PostgreSQL's limit on the columns of one index (INDEX_MAX_KEYS). */
export const POSTGRES_MAX_INDEX_COLUMNS = 32;

/**
 * Fields of one entity: PostgreSQL's 1,600 columns minus the two a workflow's
 * queue table adds to the fields it copies (`id`, `queued_at`).
 */
export const MAX_FIELDS = POSTGRES_MAX_COLUMNS - 2;

/** Secondary indexes of one entity (each one costs every insert; far above any sane spec). */
export const MAX_INDEXES = 100;

/** Actions of one entity, and steps of one workflow. */
export const MAX_ACTIONS = 50;
export const MAX_WORKFLOW_STEPS = 50;

/** An inclusive range of a numeric setting, with its unit for messages. */
export interface NumericRange {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

/**
 * Every numeric setting of a spec. `premake` × the interval stays within what
 * the window can hold sensibly (120 monthly partitions ahead is ten years);
 * `pages_per_range` is PostgreSQL's own BRIN range (1–131072); the rest are
 * budgets of `specql verify`.
 */
export const RANGES = {
  premake: { min: 1, max: 120, integer: true },
  pages_per_range: { min: 1, max: 131_072, integer: true },
  cache_limit: { min: 1, max: 10_000, integer: true },
  bulk_rows: { min: 1, max: 1_000_000, integer: true },
  trigger_overhead: { min: 1, max: 1000, integer: false },
  clients: { min: 1, max: 100, integer: true },
} as const satisfies Record<string, NumericRange>;

/**
 * Numbers written inside strings: retention counts, refresh intervals, TTLs
 * and durations. Bounded so that date arithmetic and cron never overflow.
 */
export const TEXT_RANGES = {
  /** `retention: N <unit>`, counted in partitions of the entity's interval. */
  retention_partitions: { min: 1, max: 10_000, integer: true },
  /** `refresh_interval` in seconds: 1 second to 1 week. */
  refresh_seconds: { min: 1, max: 604_800, integer: true },
  /** `verify:` durations, in milliseconds: up to one hour. */
  duration_ms: { min: 0.001, max: 3_600_000, integer: false },
  /** `view.cache.ttl`, in seconds: up to 30 days. */
  ttl_seconds: { min: 1, max: 2_592_000, integer: true },
} as const satisfies Record<string, NumericRange>;

export const inRange = (value: number, range: NumericRange): boolean =>
  Number.isFinite(value) && value >= range.min && value <= range.max && (!range.integer || Number.isInteger(value));

export const rangeText = (range: NumericRange): string =>
  `${range.integer ? 'a whole number ' : ''}from ${range.min.toLocaleString('en-US')} to ${range.max.toLocaleString('en-US')}`;
