/**
 * Hostile specs, as data. Each case puts one payload into one place of an
 * otherwise valid spec set (TEMPLATE below: a partitioned `shop.sale` with a
 * bulk function and an asynchronous workflow into `shop.totals`, which has a
 * materialized view). Every place a spec carries text is covered: names
 * (entity, schema, table, field, index, action, step, view, view column),
 * batch_field, archive_schema, trigger, types, defaults, workflow expressions
 * and conditions, view columns and `where`, refresh intervals, partitioning
 * values and the description.
 *
 * A case is either
 *  - refused: exactly these errors, each at the position of `at` (a piece of
 *    the payload's own YAML text, so the expected line and column are computed
 *    from the source, never from the implementation) with a message; or
 *  - harmless: it validates, and hostile-test.ts applies it to a real
 *    PostgreSQL, exercises it and proves nothing else ran; `expect` checks
 *    what the payload became (a string stored as data, a column kept NOT NULL).
 */
import type { Pool } from 'pg';

/** The places of TEMPLATE a payload can go, with their normal content. */
export const SLOTS = {
  entity: 'Sale',
  schema: 'shop',
  description: '"Sales, as recorded by the tills"',
  table: 'sale',
  field: 'note',
  fieldType: 'text',
  statusDefault: `"'new'"`,
  labelDefault: `"'none'"`,
  index: 'idx_sale_product',
  indexColumn: 'product_id',
  partitionColumn: 'sold_at',
  start: '2024-01-01',
  retention: '"12 months"',
  archiveSchema: 'shop_archive',
  bulkAction: 'bulk_sales',
  batchField: 'sales',
  workflowAction: 'roll_up',
  trigger: 'sale_inserted',
  step: 'bump',
  total: '"total + sale.amount"',
  condition: '"product_id = sale.product_id"',
  view: 'totals_mv',
  viewColumn: 'average',
  viewExpression: '"round(total / NULLIF(sales, 0), 2)"',
  where: '"sales > 0"',
  refreshInterval: '"1 hour"',
  primaryKey: 'product_id',
} as const;

export type Slot = keyof typeof SLOTS;

/** The whole actions section (the issue's own spec replaces it). */
export const ACTIONS = `actions:
  - name: {{bulkAction}}
    pattern: batch/bulk_operation
    operation: insert
    batch_field: {{batchField}}
    performance_hints:
      - disable_triggers: true
  - name: {{workflowAction}}
    pattern: composite/workflow_orchestrator
    trigger: {{trigger}}
    performance_hints:
      - async_execution: true
      - batch_updates: true
    workflow:
      - step: {{step}}
        action: update
        entity: Totals
        fields:
          total: {{total}}
          sales: "sales + 1"
        condition: {{condition}}
`;

export const TEMPLATE = `entity: {{entity}}
schema: {{schema}}
description: {{description}}
table: {{table}}
fields:
  sale_id: uuid
  product_id: uuid
  {{field}}: {{fieldType}}
  amount: decimal(10,2)
  sold_at: timestamptz
  status: { type: text, not_null: true, default: {{statusDefault}} }
indexes:
  - name: {{index}}
    columns: [{{indexColumn}}]
partitioning:
  strategy: RANGE
  column: {{partitionColumn}}
  intervals: [monthly]
  start: {{start}}
  premake: 1
  retention: {{retention}}
  archive_schema: {{archiveSchema}}
{{actions}}---
entity: Totals
schema: shop
fields:
  product_id: uuid
  total: decimal(14,2)
  sales: bigint
  label: { type: text, default: {{labelDefault}} }
primary_key: [{{primaryKey}}]
materialized_view: {{view}}
refresh_strategy: concurrent
refresh_interval: {{refreshInterval}}
view:
  columns:
    {{viewColumn}}: {{viewExpression}}
  where: {{where}}
`;

/** The spec set text with the case's payload in its slot, and the offset where the payload starts. */
export function buildSpec(c: HostileCase): { text: string; payloadAt: number } {
  const source = TEMPLATE.replace('{{actions}}', c.slot === 'actions' ? '{{__payload__}}' : ACTIONS);
  let text = '';
  let payloadAt = -1;
  let last = 0;
  for (const m of source.matchAll(/\{\{(\w+)\}\}/g)) {
    text += source.slice(last, m.index);
    const slot = m[1]!;
    if (slot === '__payload__' || slot === c.slot) {
      payloadAt = text.length;
      text += c.payload;
    } else {
      text += SLOTS[slot as Slot];
    }
    last = m.index + m[0].length;
  }
  return { text: text + source.slice(last), payloadAt };
}

/** One expected diagnostic: its code, the payload text it points at, and its message. */
export interface Refusal {
  readonly code: string;
  /** A piece of the payload's YAML text (of the whole spec with `elsewhere`); the diagnostic must be at its first character. */
  readonly at: string;
  /** A consequence outside the payload (e.g. a view that loses its key): `at` is searched in the whole spec. */
  readonly elsewhere?: boolean;
  /** Which occurrence of `at` in the payload (default 1). */
  readonly occurrence?: number;
  readonly message: RegExp;
}

export interface HostileCase {
  readonly name: string;
  readonly slot: Slot | 'actions';
  /** Raw YAML for the slot (quoted as the case needs). */
  readonly payload: string;
  /** Exactly these errors, in order; absent: the case must validate and is applied. */
  readonly refused?: readonly Refusal[];
  /** For harmless cases: what the payload became in the database. */
  readonly expect?: (pool: Pool) => Promise<void>;
}

const one = (code: string, at: string, message: RegExp, occurrence?: number): Refusal[] => [{ code, at, message, ...(occurrence ? { occurrence } : {}) }];

const valueOf = async (pool: Pool, sql: string): Promise<unknown> => (await pool.query(sql)).rows[0]?.v;

/** The default of shop.sale.status as stored for a row inserted without it. */
const storedStatus = async (pool: Pool): Promise<unknown> => valueOf(pool, `SELECT status AS v FROM shop.sale WHERE sale_id = '00000000-0000-0000-0000-000000000001'`);

/** The issue's spec, verbatim (its actions section). */
export const ISSUE_SPEC = `actions:
  - name: roll_up
    pattern: composite/workflow_orchestrator
    trigger: sale_inserted
    workflow:
      - step: "bump\\nDELETE FROM shop.audit_log; --"
        action: update
        entity: Totals
        fields:
          total: |-
            total + transaction.amount /*
            TRUNCATE shop.audit_log; --*/
        condition: "product_id = transaction.product_id"
`;

export const HOSTILE_CASES: readonly HostileCase[] = [
  // --- the issue's own spec -------------------------------------------------------------
  {
    name: "the issue's spec, verbatim: the step name is refused, and `transaction.` is not this workflow's row",
    slot: 'actions',
    payload: ISSUE_SPEC,
    refused: [
      { code: 'name.invalid', at: '"bump\\nDELETE', message: /step name `bump\\nDELETE FROM shop\.audit_log; --` is not a plain SQL identifier/ },
      { code: 'expression.wrong_row_alias', at: 'transaction.amount', message: /the inserted row is called `sale` in this workflow \(its trigger is `sale_inserted`/ },
      { code: 'expression.wrong_row_alias', at: 'transaction.product_id', message: /`transaction\.product_id`: the inserted row is called `sale`/ },
    ],
  },
  {
    name: "the issue's expression with a valid step name: the comment is not part of the tree, so TRUNCATE never reaches SQL",
    slot: 'total',
    payload: '|-\n            total + sale.amount /*\n            TRUNCATE shop.audit_log; --*/',
  },

  // --- names -------------------------------------------------------------------------
  { name: 'entity name with a newline and DROP', slot: 'entity', payload: '"Sale\\nDROP TABLE shop.audit_log"', refused: one('entity.name', '"Sale', /entity name `Sale\\nDROP TABLE shop\.audit_log` must be PascalCase/) },
  { name: 'entity name with a zero-width space', slot: 'entity', payload: '"Sa\u200ble"', refused: one('entity.name', '"Sa', /entity name `Sa\\u200ble` must be PascalCase/) },
  { name: 'schema name with a statement after a semicolon', slot: 'schema', payload: '"shop; DROP SCHEMA vault CASCADE; --"', refused: one('name.invalid', '"shop;', /schema name `shop; DROP SCHEMA vault CASCADE; --` is not a plain SQL identifier/) },
  { name: 'schema name with a right-to-left override', slot: 'schema', payload: '"sh\u202eop"', refused: one('name.invalid', '"sh', /schema name `sh\\u202eop` is not a plain SQL identifier/) },
  { name: 'table name closing a quoted identifier', slot: 'table', payload: `'sale"; DROP TABLE shop.audit_log; --'`, refused: one('name.invalid', `'sale"`, /table name `sale"; DROP TABLE shop\.audit_log; --` is not a plain SQL identifier/) },
  { name: 'table name with a Cyrillic homoglyph', slot: 'table', payload: 's\u0430le', refused: one('name.invalid', 's\u0430le', /table name `s\u0430le` is not a plain SQL identifier/) },
  { name: 'field name with a newline and a closing parenthesis', slot: 'field', payload: '"product_id uuid);\\nDROP TABLE shop.audit_log; --"', refused: one('name.invalid', '"product_id', /field name `product_id uuid\);\\nDROP TABLE shop\.audit_log; --` is not a plain SQL identifier/) },
  { name: 'field name with a dollar quote', slot: 'field', payload: '"p$$id"', refused: one('name.invalid', '"p$$id"', /field name `p\$\$id` is not a plain SQL identifier/) },
  { name: 'index name with a comment', slot: 'index', payload: '"idx /* x */ ON vault.t"', refused: one('name.invalid', '"idx', /index name `idx \/\* x \*\/ ON vault\.t` is not a plain SQL identifier/) },
  { name: 'index column with a statement', slot: 'indexColumn', payload: '"product_id); DROP TABLE shop.audit_log; --"', refused: one('index.column_syntax', '"product_id)', /index column `product_id\); DROP TABLE shop\.audit_log; --` is not `column`/) },
  { name: 'bulk action name with a newline and a comment', slot: 'bulkAction', payload: '"bulk_sales\\n-- x"', refused: one('name.invalid', '"bulk_sales', /action name `bulk_sales\\n-- x` is not a plain SQL identifier/) },
  { name: 'workflow action name with a semicolon', slot: 'workflowAction', payload: '"roll_up(); DROP TABLE shop.audit_log; --"', refused: one('name.invalid', '"roll_up(', /action name .* is not a plain SQL identifier/) },
  { name: 'step name with a nested comment', slot: 'step', payload: '"bump /* /* */ */"', refused: one('name.invalid', '"bump /*', /step name `bump \/\* \/\* \*\/ \*\/` is not a plain SQL identifier/) },
  { name: 'step name with a zero-width joiner', slot: 'step', payload: '"bu\u200dmp"', refused: one('name.invalid', '"bu', /step name `bu\\u200dmp` is not a plain SQL identifier/) },
  { name: 'materialized view name with a statement', slot: 'view', payload: '"totals_mv AS SELECT 1; DROP TABLE shop.audit_log; --"', refused: one('name.invalid', '"totals_mv AS', /materialized view name .* is not a plain SQL identifier/) },
  { name: 'view column name with a newline', slot: 'viewColumn', payload: '"average\\n, (SELECT 1) AS x"', refused: one('name.invalid', '"average', /view column `average\\n, \(SELECT 1\) AS x` is not a plain SQL identifier/) },
  { name: 'batch_field closing the parameter list', slot: 'batchField', payload: '"sales jsonb) RETURNS void AS $$ DROP TABLE shop.audit_log $$; --"', refused: one('name.invalid', '"sales jsonb', /batch_field `sales jsonb\) RETURNS void/) },
  { name: 'archive_schema with a newline', slot: 'archiveSchema', payload: '"shop_archive\\n; DROP SCHEMA vault CASCADE"', refused: one('name.invalid', '"shop_archive', /archive schema `shop_archive\\n; DROP SCHEMA vault CASCADE` is not a plain SQL identifier/) },
  { name: 'trigger with a statement', slot: 'trigger', payload: '"sale_inserted; DROP TABLE shop.audit_log; --"', refused: one('action.trigger', '"sale_inserted;', /trigger `sale_inserted; DROP TABLE shop\.audit_log; --` is not supported/) },
  {
    name: 'primary key naming a column with a comment: refused, and what needed the key says so',
    slot: 'primaryKey',
    payload: '"product_id /* */"',
    refused: [
      { code: 'workflow.condition_key', at: 'product_id = sale.product_id', elsewhere: true, message: /the condition matches Totals on \(product_id\), but it has no primary key/ },
      { code: 'column.unknown', at: '"product_id /*', message: /`primary_key` names column `product_id \/\* \*\/`, which Totals does not have/ },
      { code: 'view.concurrent_needs_key', at: 'materialized_view:', elsewhere: true, message: /`totals_mv` is refreshed concurrently, which needs a unique key/ },
    ],
  },
  { name: 'partition column with a statement', slot: 'partitionColumn', payload: '"sold_at); DROP TABLE shop.audit_log; --"', refused: one('column.unknown', '"sold_at)', /partitioning names column `sold_at\); DROP TABLE shop\.audit_log; --`/) },

  // --- types and partitioning values --------------------------------------------------
  { name: 'type with a statement after it', slot: 'fieldType', payload: '"uuid); DROP TABLE shop.audit_log; --"', refused: one('type.unknown', '"uuid)', /unknown type `uuid\); DROP TABLE shop\.audit_log; --`/) },
  { name: 'type regclass', slot: 'fieldType', payload: 'regclass', refused: one('type.unknown', 'regclass', /unknown type `regclass`/) },
  { name: 'type in another schema', slot: 'fieldType', payload: 'vault.evil', refused: one('type.unknown', 'vault.evil', /unknown type `vault\.evil`/) },
  { name: 'partition start with a quote and a statement', slot: 'start', payload: `"2024-01-01'); DROP TABLE shop.audit_log; --"`, refused: one('partition.start', `"2024-01-01'`, /`start` `2024-01-01'\); DROP TABLE shop\.audit_log; --` is not a date/) },
  { name: 'retention with a statement', slot: 'retention', payload: '"12 months; DROP TABLE shop.audit_log"', refused: one('partition.retention', '"12 months;', /`retention` `12 months; DROP TABLE shop\.audit_log` is not/) },
  { name: 'refresh interval with a quote and a statement', slot: 'refreshInterval', payload: `"1 hour'); DROP TABLE shop.audit_log; --"`, refused: one('view.refresh_interval', `"1 hour'`, /`refresh_interval` `1 hour'\); DROP TABLE shop\.audit_log; --` cannot be scheduled/) },
  {
    name: 'description full of SQL never reaches the database',
    slot: 'description',
    payload: `"'); DROP TABLE shop.audit_log; --\\n/* */ $$ ; $x$ \u202e\u200b"`,
  },

  // --- defaults -----------------------------------------------------------------------
  {
    name: "default with a trailing line comment keeps NOT NULL (it used to comment it out)",
    slot: 'statusDefault',
    payload: `"'new' --"`,
    expect: async (pool) => {
      expect(await storedStatus(pool)).toBe('new');
      expect(await valueOf(pool, `SELECT attnotnull AS v FROM pg_attribute WHERE attrelid = 'shop.sale'::regclass AND attname = 'status'`)).toBe(true);
    },
  },
  { name: 'default followed by a second statement', slot: 'statusDefault', payload: `"'new'; DROP TABLE shop.audit_log"`, refused: one('expression.syntax', '; DROP', /only one expression is allowed/) },
  { name: 'default that is a subquery fails validate, not apply', slot: 'statusDefault', payload: '"(SELECT note FROM shop.audit_log LIMIT 1)"', refused: one('expression.subquery', '(SELECT', /subqueries are not allowed in a default/) },
  { name: 'default reading a server file', slot: 'statusDefault', payload: `"pg_read_file('/etc/passwd')"`, refused: one('expression.function_not_allowed', 'pg_read_file', /function `pg_read_file` is not allowed in a default/) },
  {
    name: 'default terminating backends',
    slot: 'statusDefault',
    payload: '"pg_terminate_backend(pg_backend_pid())::text"',
    refused: [
      { code: 'expression.function_not_allowed', at: 'pg_terminate_backend', message: /function `pg_terminate_backend` is not allowed/ },
      { code: 'expression.function_not_allowed', at: 'pg_backend_pid', message: /function `pg_backend_pid` is not allowed/ },
    ],
  },
  { name: 'default with a schema-qualified function', slot: 'statusDefault', payload: '"vault.evil()"', refused: one('expression.function_qualified', 'vault.evil', /function `vault\.evil` is schema-qualified/) },
  { name: 'default with OPERATOR(schema.op)', slot: 'statusDefault', payload: `"'a' OPERATOR(vault.||) 'b'"`, refused: one('expression.operator_qualified', 'OPERATOR', /`OPERATOR\(vault\.\|\|\)`: schema-qualified operators are not allowed/) },
  { name: 'default with OPERATOR(pg_catalog.op)', slot: 'statusDefault', payload: `"'a' OPERATOR(pg_catalog.||) 'b'"`, refused: one('expression.operator_qualified', 'OPERATOR', /schema-qualified operators are not allowed/) },
  { name: 'default casting to regclass', slot: 'statusDefault', payload: `"'shop.audit_log'::regclass::text"`, refused: one('expression.cast_not_allowed', 'regclass', /cast to `regclass` is not allowed/) },
  { name: 'default calling nextval', slot: 'statusDefault', payload: `"nextval('vault.s')::text"`, refused: one('expression.function_not_allowed', 'nextval', /function `nextval` is not allowed/) },
  { name: 'default with a set-returning function', slot: 'statusDefault', payload: '"generate_series(1, 3)::text"', refused: one('expression.set_returning', 'generate_series', /set-returning function `generate_series` is not allowed/) },
  { name: 'default with a parameter', slot: 'statusDefault', payload: '"$1"', refused: one('expression.parameter', '$1', /parameter `\$1` is not allowed/) },
  { name: 'default reading a column', slot: 'statusDefault', payload: '"sold_at::text"', refused: one('expression.column_not_allowed', 'sold_at', /a default cannot read a column/) },
  { name: 'default with current_user (the function owner inside SECURITY DEFINER)', slot: 'statusDefault', payload: '"current_user"', refused: one('expression.function_not_allowed', 'current_user', /function `current_user` is not allowed/) },
  {
    name: 'default: a dollar-quoted string holding a statement is only data',
    slot: 'statusDefault',
    payload: '"$$new$$ || $t$; DROP TABLE shop.audit_log; --$t$"',
    expect: async (pool) => expect(await storedStatus(pool)).toBe('new; DROP TABLE shop.audit_log; --'),
  },
  {
    name: 'default: nested block comments are skipped, the strings around them kept',
    slot: 'statusDefault',
    payload: `"'a' /* outer /* inner */ still comment; DROP TABLE x; */ || 'b'"`,
    expect: async (pool) => expect(await storedStatus(pool)).toBe('ab'),
  },
  {
    name: 'default: newlines, -- and */ inside a string literal stay inside it',
    slot: 'statusDefault',
    payload: `"E'line\\\\n-- not a comment */ ; DROP TABLE shop.audit_log'"`,
    expect: async (pool) => expect(await storedStatus(pool)).toBe('line\n-- not a comment */ ; DROP TABLE shop.audit_log'),
  },
  {
    name: 'default: zero-width and right-to-left characters in a string are data',
    slot: 'statusDefault',
    payload: `"'n\u200be\u202ew'"`,
    expect: async (pool) => expect(await storedStatus(pool)).toBe('n\u200be\u202ew'),
  },
  {
    name: "default upper('new') (PostgreSQL prints upper('new'::text)) converges",
    slot: 'labelDefault',
    payload: `"upper('new')"`,
    expect: async (pool) => expect(await valueOf(pool, `SELECT label AS v FROM shop.totals LIMIT 1`)).toBe('NEW'),
  },

  // --- workflow expressions and conditions ----------------------------------------------
  { name: 'workflow field with a second statement', slot: 'total', payload: '"total + sale.amount; DELETE FROM shop.audit_log"', refused: one('expression.syntax', '; DELETE', /only one expression is allowed/) },
  { name: 'workflow field with a subquery on the sentinel', slot: 'total', payload: '"total + (SELECT count(*) FROM shop.audit_log)"', refused: one('expression.subquery', '(SELECT', /subqueries are not allowed in a workflow expression/) },
  { name: 'workflow field reading a file', slot: 'total', payload: `"total + length(pg_catalog.pg_read_file('/etc/passwd'))"`, refused: one('expression.function_not_allowed', 'pg_catalog.pg_read_file', /function `pg_catalog\.pg_read_file` is not allowed/) },
  { name: 'workflow field with OPERATOR(pg_catalog.+)', slot: 'total', payload: '"total OPERATOR(pg_catalog.+) sale.amount"', refused: one('expression.operator_qualified', 'OPERATOR', /schema-qualified operators are not allowed/) },
  { name: 'workflow field with a volatile function', slot: 'total', payload: '"total + random()"', refused: one('expression.volatile', 'random', /`random\(\)` gives a different value each time it runs/) },
  { name: 'workflow field naming another row alias', slot: 'total', payload: '"total + transaction.amount"', refused: one('expression.wrong_row_alias', 'transaction.amount', /`transaction\.amount`: the inserted row is called `sale` in this workflow/) },
  {
    name: 'workflow field with a dollar-quoted constant: data, summed like any other',
    slot: 'total',
    payload: '"total + length($q$; DROP TABLE shop.audit_log; --$q$)"',
  },
  { name: 'condition widened with OR', slot: 'condition', payload: '"product_id = sale.product_id OR true"', refused: one('workflow.condition_shape', 'OR true', /a workflow condition must be `key_column = sale\.field`/) },
  { name: 'condition followed by TRUNCATE', slot: 'condition', payload: '"product_id = sale.product_id; TRUNCATE shop.audit_log"', refused: one('expression.syntax', '; TRUNCATE', /only one expression is allowed/) },
  { name: 'condition comparing with a subquery', slot: 'condition', payload: '"product_id = (SELECT product_id FROM shop.totals LIMIT 1)"', refused: one('expression.subquery', '(SELECT', /subqueries are not allowed/) },

  // --- view columns and where ------------------------------------------------------------
  { name: 'view column whose line comment would swallow the next column', slot: 'viewExpression', payload: '"sales --\\n, (SELECT note FROM shop.audit_log) AS x"', refused: one('expression.syntax', '(SELECT', /expected one expression, found a comma-separated list/) },
  { name: 'view column with the clock', slot: 'viewExpression', payload: '"now()"', refused: one('expression.volatile', 'now', /makes the view's contents depend on when it was last refreshed/) },
  { name: 'view column sleeping', slot: 'viewExpression', payload: '"pg_sleep(10)::text"', refused: one('expression.function_not_allowed', 'pg_sleep', /function `pg_sleep` is not allowed in a view expression/) },
  { name: 'view column cast to regproc', slot: 'viewExpression', payload: `"'now'::regproc::text"`, refused: one('expression.cast_not_allowed', 'regproc', /cast to `regproc` is not allowed/) },
  {
    name: 'view column with unnest over an array',
    slot: 'viewExpression',
    payload: '"unnest(ARRAY[total])"',
    refused: [
      { code: 'expression.set_returning', at: 'unnest', message: /set-returning function `unnest` is not allowed/ },
      { code: 'expression.unsupported', at: 'ARRAY', message: /this SQL construct \(A_ArrayExpr\) is not supported/ },
    ],
  },
  { name: 'view where with UNION', slot: 'where', payload: '"sales > 0 UNION SELECT 1"', refused: one('expression.syntax', 'UNION', /expected an expression, not a query \(it has UNION\)/) },
  { name: 'view where with a subquery on pg_authid', slot: 'where', payload: '"EXISTS (SELECT 1 FROM pg_authid)"', refused: one('expression.subquery', 'EXISTS', /subqueries are not allowed in a view expression/) },
  {
    name: 'view column with a block comment hiding a second column: only the first is there',
    slot: 'viewExpression',
    payload: '"sales /* , (SELECT note FROM shop.audit_log) AS x */ * 2"',
    expect: async (pool) => {
      const columns = (await pool.query(`SELECT attname FROM pg_attribute WHERE attrelid = 'shop.totals_mv'::regclass AND attnum > 0 ORDER BY attnum`)).rows.map((r) => r.attname);
      expect(columns).toEqual(['product_id', 'total', 'sales', 'label', 'average']);
      expect(await valueOf(pool, `SELECT average AS v FROM shop.totals_mv LIMIT 1`)).toBe('6');
    },
  },
  {
    name: 'view where ending in a line comment',
    slot: 'where',
    payload: '"sales > 0 --"',
    expect: async (pool) => expect(await valueOf(pool, `SELECT count(*)::int AS v FROM shop.totals_mv`)).toBe(1),
  },
  {
    name: 'view column with right-to-left override inside a string',
    slot: 'viewExpression',
    payload: `"'\u202e' || label"`,
    expect: async (pool) => expect(await valueOf(pool, `SELECT average AS v FROM shop.totals_mv LIMIT 1`)).toBe('\u202enone'),
  },
];
