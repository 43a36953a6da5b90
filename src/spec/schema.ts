/**
 * The shape of one SpecQL YAML document (one entity), as a zod schema.
 *
 * zod checks structure only: which keys exist, which values are strings,
 * numbers, lists or maps. Meaning (types, column references, expressions,
 * names) is checked in ./validate.ts, which can say "did you mean" and point
 * inside values. Keywords that the language accepts in any case (`BRIN`,
 * `brin`, `RANGE`, `monthly`) are plain strings here with `examples` for editor
 * completion, so that zod and the validator never disagree about case.
 *
 * The same schema is exported as JSON Schema (./json-schema.ts) for editors.
 */
import { z } from 'zod';
import { RANGES, rangeText, type NumericRange } from './limits';
import { VerifySchema } from './verify-settings';

/** A number setting with its documented range (src/spec/limits.ts), so the JSON Schema carries it too. */
export const ranged = (range: NumericRange) => {
  const base = range.integer ? z.number().int() : z.number();
  return base.min(range.min).max(range.max);
};

const boolHint = (text: string) => z.boolean().optional().describe(text);

export const FieldLongFormSchema = z
  .strictObject({
    type: z.string().describe('Column type, e.g. uuid, integer, decimal(10,2), text, varchar(40), timestamptz, jsonb.'),
    not_null: z.boolean().optional().describe('Adds NOT NULL. Key and partition columns are always NOT NULL.'),
    default: z
      .union([z.string(), z.number(), z.boolean()])
      .optional()
      .describe(
        'A default value as one SQL expression, e.g. `0`, `now()`, `\'pending\'`, `gen_random_uuid()`. Parsed by PostgreSQL\'s parser and checked against the allow-list: constants, operators, casts to the spec\'s types, built-in functions, the clock; no column, subquery or other statement.',
      ),
  })
  .describe('Long form of a field.');

export const FieldSchema = z
  .union([z.string().describe('Column type (short form), e.g. `uuid` or `decimal(10,2)`.'), FieldLongFormSchema])
  .describe('`name: type`, or `name: { type, not_null, default }`.');

export const IndexSchema = z
  .strictObject({
    name: z.string().describe('Index name (at most 63 bytes).'),
    columns: z
      .array(z.string())
      .min(1)
      .describe('Indexed columns, in order; each `column`, `column ASC` or `column DESC`.'),
    type: z
      .string()
      .optional()
      .meta({ examples: ['BTREE', 'BRIN', 'HASH', 'GIST', 'GIN'] })
      .describe('Index method: BTREE (default), BRIN, HASH (one column only), GIST, GIN. Any case.'),
    unique: boolHint('Extension: a UNIQUE index.'),
    pages_per_range: ranged(RANGES.pages_per_range)
      .optional()
      .describe(`Extension, BRIN only: pages summarised per range (default 128; ${rangeText(RANGES.pages_per_range)}, PostgreSQL's own range).`),
  })
  .describe('One index on the entity\'s table.');

export const PartitioningSchema = z
  .strictObject({
    strategy: z.string().meta({ examples: ['RANGE'] }).describe('Partitioning strategy; only RANGE is supported.'),
    column: z.string().describe('Partition column: a date, timestamp or (preferably) timestamptz field.'),
    intervals: z
      .array(z.string().meta({ examples: ['daily', 'weekly', 'monthly', 'yearly'] }))
      .describe('Exactly one of daily, weekly, monthly, yearly.'),
    start: z
      .string()
      .optional()
      .describe('Extension: lower bound of the first partition, YYYY-MM-DD, aligned to the interval (1st of month, Jan 1, a Monday).'),
    premake: ranged(RANGES.premake).optional().describe(`Extension: partitions created ahead of now (default 3; ${rangeText(RANGES.premake)}).`),
    retention: z
      .string()
      .optional()
      .describe('Extension: how long partitions are kept, e.g. `36 months`, `2 years`, `90 days`, `12 weeks` (1 to 10,000 partitions of the interval); older ones are detached to archive_schema.'),
    archive_schema: z.string().optional().describe('Extension: schema detached partitions move to (default `<schema>_archive`).'),
    default_partition: z.boolean().optional().describe('Extension: keep a DEFAULT partition for rows outside the window (default true).'),
  })
  .describe('Range partitioning of the entity\'s table.');

const BulkHintsSchema = z
  .strictObject({
    disable_triggers: boolHint('Skip row triggers while loading (only the loader\'s own session).'),
    disable_indexes: boolHint('Load first, build secondary indexes after.'),
    copy_mode: boolHint('Load through COPY (client side) when the caller can.'),
  })
  .describe('Performance hints for a bulk operation.');

const WorkflowHintsSchema = z
  .strictObject({
    async_execution: boolHint('Queue the work and run it outside the inserting transaction.'),
    batch_updates: boolHint('Aggregate many rows into one update per target key.'),
    materialized_views: boolHint('Refresh the targets\' materialized views after updates.'),
  })
  .describe('Performance hints for a workflow.');

/** Hints may be written as a list of one-key maps (as the SpecQL example does) or as one map. */
const hintsOf = <T extends z.ZodType>(hints: T) =>
  z.union([z.array(hints), hints]).optional().describe('A list of `- hint: true` items, or a map `{ hint: true }`.');

export const BulkOperationActionSchema = z
  .strictObject({
    name: z.string().describe('Action (function) name.'),
    pattern: z.literal('batch/bulk_operation'),
    operation: z.literal('insert').describe('Only `insert` is supported.'),
    batch_field: z.string().describe('Name of the jsonb array parameter (`transactions` → `p_transactions`).'),
    performance_hints: hintsOf(BulkHintsSchema),
  })
  .describe('Bulk insert of a jsonb array of rows.');

export const WorkflowStepSchema = z
  .strictObject({
    step: z.string().describe('Step name: a plain SQL identifier (lower-case letters, digits, _), unique in the workflow.'),
    action: z.literal('update').describe('Only `update` (an upsert of the target row) is supported.'),
    entity: z.string().describe('Target entity (defined in the same spec set).'),
    fields: z
      .record(z.string(), z.string())
      .describe(
        '`target_column: expression` over the target\'s columns and `<alias>.<field>` of the inserted row, where the alias is the trigger\'s name without `_inserted` (`transaction_inserted` → `transaction.total_amount`, `reading_inserted` → `reading.value`).',
      ),
    condition: z
      .string()
      .describe('`key_column = <alias>.field [AND ...]`, naming exactly the target\'s primary key (the alias comes from the trigger, e.g. `transaction`).'),
  })
  .describe('One step of a workflow.');

export const WorkflowActionSchema = z
  .strictObject({
    name: z.string().describe('Action (function) name.'),
    pattern: z.literal('composite/workflow_orchestrator'),
    trigger: z
      .string()
      .describe('`<name>_inserted`: runs after rows are inserted into this entity. Steps call the inserted row `<name>`: `transaction_inserted` → `transaction.<field>`, `reading_inserted` → `reading.<field>`.'),
    performance_hints: hintsOf(WorkflowHintsSchema),
    workflow: z.array(WorkflowStepSchema).min(1).describe('Steps run in order for each inserted row.'),
  })
  .describe('Updates other entities when rows are inserted.');

export const ActionSchema = z.discriminatedUnion('pattern', [BulkOperationActionSchema, WorkflowActionSchema]);

export const ViewSchema = z
  .strictObject({
    columns: z
      .record(z.string(), z.string())
      .optional()
      .describe('`column: expression` over the entity\'s own columns (bare names, allow-listed built-in functions, no clock); replaces a same-named field or adds a column.'),
    where: z.string().optional().describe('Rows kept: a condition over the entity\'s columns (no now()).'),
    key: z.array(z.string()).optional().describe('Unique key for concurrent refresh (default: the primary key).'),
    cache: z
      .strictObject({
        key: z.string().describe('Redis key the top rows are written to (as a JSON array).'),
        order_by: z.string().describe('`column`, `column ASC` or `column DESC`: a view column.'),
        // The range is checked (and worded) by ./cache.ts; the schema only documents it for editors.
        limit: z
          .number()
          .int()
          .meta({ minimum: RANGES.cache_limit.min, maximum: RANGES.cache_limit.max })
          .optional()
          .describe(`How many rows (default 100; ${rangeText(RANGES.cache_limit)}).`),
        ttl: z.string().optional().describe('Expiry: `N seconds|minutes|hours|days`, 1 second to 30 days (default: twice the refresh interval).'),
        columns: z.array(z.string()).optional().describe('View columns to include (default: all).'),
      })
      .optional()
      .describe('Extension: after each refresh, `specql worker` writes the top rows to Redis.'),
  })
  .describe('Extension: what the materialized view computes.');

export const EntitySchema = z
  .strictObject({
    entity: z.string().describe('Entity name in PascalCase, e.g. SalesTransaction.'),
    schema: z.string().describe('PostgreSQL schema the table lives in.'),
    description: z.string().optional().describe('The table comment: written after specql\'s ownership marker line; a change is planned as a COMMENT step.'),
    table: z.string().optional().describe('Extension: table name (default: snake_case of entity).'),
    fields: z.record(z.string(), FieldSchema).describe('Columns, in order.'),
    primary_key: z.array(z.string()).optional().describe('Extension: key columns (default: the first field if it is `id` or ends in `_id`).'),
    indexes: z.array(IndexSchema).optional().describe('Secondary indexes.'),
    partitioning: PartitioningSchema.optional(),
    actions: z.array(ActionSchema).optional().describe('Generated functions and triggers.'),
    materialized_view: z.string().optional().describe('Name of a materialized view over this entity.'),
    refresh_strategy: z.enum(['concurrent', 'blocking']).optional().describe('concurrent (default, needs a key) or blocking.'),
    refresh_interval: z
      .string()
      .optional()
      .describe('How often the view is refreshed: N seconds (1–59), N minutes (N divides 60), N hours (N divides 24), 1 day or 1 week.'),
    view: ViewSchema.optional(),
    verify: VerifySchema.optional(),
  })
  .describe('One SpecQL entity: a table, its indexes, partitioning, actions and materialized view.');

export type RawEntity = z.infer<typeof EntitySchema>;
