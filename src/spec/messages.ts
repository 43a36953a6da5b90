/**
 * Every diagnostic the spec loader emits, worded in one place. Detection code
 * (yaml-source, validate, expressions) decides *that* something is wrong and
 * calls one of these to say *what* and *how to fix it*.
 */
import type { Diagnostic, SourcePosition } from '../diagnostics/diagnostic';
import { allowedFunctions, ALLOWED_CAST_TYPES, ALLOWED_OPERATORS, type ExpressionContext, type ExpressionProblem } from './expressions';

const error = (code: string, at: SourcePosition | undefined, message: string, hint?: string, subject?: string): Diagnostic => ({
  code,
  severity: 'error',
  message,
  ...(hint ? { hint } : {}),
  ...(at ? { at } : {}),
  ...(subject ? { subject } : {}),
});
const warning = (code: string, at: SourcePosition | undefined, message: string, hint?: string, subject?: string): Diagnostic => ({
  ...error(code, at, message, hint, subject),
  severity: 'warning',
});

const didYouMean = (suggestion: string | null | undefined) => (suggestion ? `did you mean \`${suggestion}\`?` : undefined);

/** Spec text in backticks, with line breaks and invisible characters (zero-width, bidirectional
 *  overrides, controls) spelled out, so a message shows exactly what was written. */
export const q = (text: string): string =>
  `\`${text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (ch) => (ch === '\n' ? '\\n' : ch === '\t' ? '\\t' : ch === '\r' ? '\\r' : `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`))}\``;
const where = (at: SourcePosition) => `line ${at.line}`;
/** `fields.x`, or "the document" for the root. */
const named = (subject: string) => (subject ? `\`${subject}\`` : 'the document');

export type { ExpressionContext };

export const messages = {
  // --- YAML -------------------------------------------------------------
  yamlSyntax: (at: SourcePosition, text: string) => error('yaml.syntax', at, `YAML syntax error: ${text}.`, 'check indentation, quoting and `:` after keys'),
  yamlTooDeep: (at: SourcePosition, max: number) =>
    error('yaml.too_deep', at, `maps and lists nested more than ${max} levels deep: no spec needs that, so the file is not read.`, 'flatten the structure; a spec nests about 6 levels'),
  yamlScalarTooLong: (at: SourcePosition, length: number, max: number) =>
    error('yaml.scalar_too_long', at, `a value of ${length.toLocaleString('en-US')} characters: at most ${max.toLocaleString('en-US')} are allowed, so the file is not read.`, 'shorten the value'),
  yamlAliasExpansion: (at: SourcePosition, alias: string, max: number) =>
    error('yaml.alias_expansion', at, `alias ${q(`*${alias}`)} makes the document's aliases expand to more than ${max.toLocaleString('en-US')} nodes (an alias bomb?).`, 'write the repeated parts out, or alias smaller parts'),
  yamlTooManyAliases: (at: SourcePosition, max: number) =>
    error('yaml.alias_count', at, `more than ${max.toLocaleString('en-US')} aliases in one document.`, 'write the repeated parts out'),
  yamlAliasCycle: (at: SourcePosition, alias: string) =>
    error('yaml.alias_cycle', at, `alias ${q(`*${alias}`)} refers to a node that contains it, which would make a value of infinite size.`, 'alias a node defined before and outside this one'),
  yamlAliasUnresolved: (at: SourcePosition, alias: string) =>
    error('yaml.alias_unknown', at, `alias ${q(`*${alias}`)} names no anchor defined before it.`, `define \`&${alias}\` on an earlier node, or remove the alias`),
  fileTooLarge: (file: string, bytes: number, max: number) =>
    error('file.too_large', { file, line: 1, column: 1 }, `the file has ${bytes.toLocaleString('en-US')} bytes: spec files are limited to ${max.toLocaleString('en-US')} bytes.`, 'split the spec into several files (one entity each)'),
  tooMany: (at: SourcePosition, what: string, count: number, max: number, why: string, hint: string) =>
    error('spec.too_many', at, `${count.toLocaleString('en-US')} ${what}: at most ${max.toLocaleString('en-US')} are allowed (${why}).`, hint),
  uniqueWithoutPartitionColumn: (at: SourcePosition, index: string, column: string) =>
    error('index.unique_without_partition_column', at, `unique index \`${index}\` does not include the partition column \`${column}\`; PostgreSQL refuses unique indexes on a partitioned table without it.`, `add \`${column}\` to its columns`),
  yamlWarning: (at: SourcePosition, text: string) => warning('yaml.warning', at, `YAML: ${text}.`),
  duplicateKey: (at: SourcePosition, key: string) =>
    error('yaml.duplicate_key', at, `duplicate key ${q(key)}: YAML keeps only one of them.`, 'remove or rename one of the two'),
  entitiesInOneDocument: (at: SourcePosition, first: SourcePosition) =>
    error(
      'yaml.duplicate_key',
      at,
      `a second \`entity:\` key in the same YAML document (the first is on ${where(first)}): two entities run together, so YAML would merge their keys.`,
      'put a line `---` before this `entity:` to start a new document (one entity per document)',
    ),

  // --- shape (zod) -------------------------------------------------------
  unknownKey: (at: SourcePosition, key: string, suggestion: string | null, allowed: readonly string[], subject: string) =>
    error(
      'spec.unknown_key',
      at,
      `unknown key ${q(key)}${subject ? ` in ${subject}` : ''}.`,
      didYouMean(suggestion) ?? (allowed.length ? `allowed keys: ${allowed.join(', ')}` : undefined),
      subject,
    ),
  missingKey: (at: SourcePosition, key: string, subject: string) =>
    error('spec.missing_key', at, `missing required key ${q(key)}${subject ? ` in ${subject}` : ''}.`, `add \`${key}: ...\``, subject),
  invalidType: (at: SourcePosition, subject: string, expected: string, got: string) =>
    error('spec.invalid_type', at, `${named(subject)} must be ${expected}, not ${got}.`, undefined, subject),
  invalidValue: (at: SourcePosition, subject: string, written: string, allowed: readonly string[], suggestion: string | null) =>
    error('spec.invalid_value', at, `${named(subject)} cannot be ${q(written)}: allowed ${allowed.map((a) => `\`${a}\``).join(', ')}.`, didYouMean(suggestion), subject),
  outOfRange: (at: SourcePosition, subject: string, value: number, range: string) =>
    error('spec.out_of_range', at, `${named(subject)} is ${value}: it must be ${range}.`, 'see "Limits" in docs/spec-reference.md', subject),
  invalid: (at: SourcePosition, subject: string, text: string) => error('spec.invalid', at, `${named(subject)} ${text}.`, undefined, subject),

  // --- names -------------------------------------------------------------
  entityNameCase: (at: SourcePosition, name: string) =>
    error('entity.name', at, `entity name ${q(name)} must be PascalCase (letters and digits, starting with a capital).`, `e.g. ${q(name.replace(/[^A-Za-z0-9_\s-]/g, '').replace(/(^|[_\s-]+)(\w)/g, (_, __, c: string) => c.toUpperCase()))}`),
  duplicateEntity: (at: SourcePosition, name: string, first: SourcePosition) =>
    error('entity.duplicate', at, `entity ${q(name)} is defined twice (first at ${first.file}:${first.line}).`, 'rename one of them or remove the copy'),
  badIdentifier: (at: SourcePosition, what: string, name: string) =>
    error('name.invalid', at, `${what} ${q(name)} is not a plain SQL identifier (lower-case letters, digits and _; not starting with a digit).`, 'use snake_case'),
  nameTooLong: (at: SourcePosition, what: string, name: string, bytes: number) =>
    error('name.too_long', at, `${what} ${q(name)} is ${bytes} bytes; PostgreSQL truncates identifiers to 63 bytes.`, 'choose a name of at most 63 bytes'),
  truncationClash: (at: SourcePosition, name: string, other: string) =>
    error('name.truncation_clash', at, `generated name ${q(name)} and ${q(other)} are the same in their first 63 bytes, so PostgreSQL would see one name.`, 'shorten the entity name or set `table:` explicitly'),
  duplicateName: (at: SourcePosition, kind: string, name: string, schema: string, other: string) =>
    error('name.duplicate', at, `${kind} name \`${schema}.${name}\` is already used by ${other}.`, 'rename one of them'),

  // --- fields ------------------------------------------------------------
  unknownType: (at: SourcePosition, written: string, suggestion: string | null, known: readonly string[]) =>
    error('type.unknown', at, `unknown type ${q(written)}.`, didYouMean(suggestion) ?? `supported: ${known.join(', ')}`),
  badTypeModifier: (at: SourcePosition, written: string, detail: string) => error('type.modifier', at, `type ${q(written)}: ${detail}.`),
  unknownColumn: (at: SourcePosition, column: string, entity: string, usedIn: string, suggestion: string | null) =>
    error('column.unknown', at, `${usedIn} names column ${q(column)}, which ${entity} does not have.`, didYouMean(suggestion) ?? `add ${q(column)} to ${entity}'s fields`),
  duplicateColumn: (at: SourcePosition, column: string, usedIn: string) => error('column.duplicate', at, `${usedIn} lists column ${q(column)} twice.`, 'list each column once'),
  keyNullable: (at: SourcePosition, column: string, why: string) =>
    error('column.not_null_required', at, `${q(column)} is ${why} and is always NOT NULL, but says \`not_null: false\`.`, 'remove `not_null: false`'),

  // --- indexes -----------------------------------------------------------
  unknownIndexType: (at: SourcePosition, written: string, suggestion: string | null) =>
    error('index.unknown_type', at, `unknown index type ${q(written)}.`, didYouMean(suggestion) ?? 'use one of BTREE, BRIN, HASH, GIST, GIN'),
  indexColumnSyntax: (at: SourcePosition, written: string) =>
    error('index.column_syntax', at, `index column ${q(written)} is not \`column\`, \`column ASC\` or \`column DESC\`.`, 'name one field, optionally followed by ASC or DESC'),
  hashMulticolumn: (at: SourcePosition, name: string, count: number) =>
    error(
      'index.hash_multicolumn',
      at,
      `index ${q(name)} is HASH over ${count} columns, but PostgreSQL's hash indexes support one column only.`,
      'use `type: BTREE` (equality lookups on several columns), or one HASH index per column',
    ),
  pagesPerRangeNotBrin: (at: SourcePosition, name: string) =>
    error('index.pages_per_range', at, `index ${q(name)}: \`pages_per_range\` applies to BRIN indexes only.`, 'remove it or use `type: BRIN`'),
  descendingNotBtree: (at: SourcePosition, name: string, method: string) =>
    error('index.order', at, `index ${q(name)}: ASC/DESC applies to B-tree indexes only, not ${method.toUpperCase()}.`, 'remove ASC/DESC or use `type: BTREE`'),
  uniqueNotBtree: (at: SourcePosition, name: string, method: string) =>
    error('index.unique', at, `index ${q(name)}: only B-tree indexes can be unique, not ${method.toUpperCase()}.`, 'use `type: BTREE`'),

  // --- partitioning ------------------------------------------------------
  partitionStrategy: (at: SourcePosition, written: string) =>
    error('partition.strategy', at, `partitioning strategy ${q(written)} is not supported.`, 'use `strategy: RANGE`'),
  partitionIntervals: (at: SourcePosition, count: number) =>
    error('partition.intervals', at, `\`intervals\` must list exactly one interval, not ${count}.`, 'e.g. `intervals: [monthly]`'),
  partitionUnknownInterval: (at: SourcePosition, written: string, suggestion: string | null) =>
    error('partition.interval', at, `unknown partition interval ${q(written)}.`, didYouMean(suggestion) ?? 'use daily, weekly, monthly or yearly'),
  partitionColumnType: (at: SourcePosition, column: string, type: string) =>
    error('partition.column_type', at, `partition column ${q(column)} is \`${type}\`; range partitions by time need date, timestamp or timestamptz.`, 'partition by a timestamptz column'),
  partitionTimestampWithoutZone: (at: SourcePosition, column: string) =>
    warning(
      'partition.timestamp_without_time_zone',
      at,
      `partition column ${q(column)} is \`timestamp\` (without time zone): UTC offsets in input are silently dropped, so 2024-01-31T23:30:00-08:00 is stored as 2024-01-31 23:30 and lands in the January partition.`,
      `declare \`${column}: timestamptz\``,
    ),
  partitionStart: (at: SourcePosition, written: string) => error('partition.start', at, `\`start\` ${q(written)} is not a date YYYY-MM-DD.`, 'e.g. `start: 2024-01-01`'),
  partitionStartUnaligned: (at: SourcePosition, written: string, interval: string, aligned: string) =>
    error('partition.start_unaligned', at, `\`start\` ${written} is not the beginning of a ${interval.replace(/ly$/, '').replace(/^dai$/, 'day')} partition.`, `use \`start: ${aligned}\``),
  retentionFormat: (at: SourcePosition, written: string) =>
    error('partition.retention', at, `\`retention\` ${q(written)} is not \`<N> days|weeks|months|years\`.`, 'e.g. `retention: 36 months`'),
  retentionRange: (at: SourcePosition, written: string, count: number, interval: string, max: number) =>
    error('partition.retention_range', at, `\`retention\` ${q(written)} keeps ${count.toLocaleString('en-US')} ${interval} partitions: the range is 1 to ${max.toLocaleString('en-US')}.`, 'keep fewer partitions, or use a longer interval'),
  retentionInexact: (at: SourcePosition, written: string, interval: string) =>
    error('partition.retention_inexact', at, `\`retention\` ${written} is not a whole number of ${interval} partitions.`, `express it in units of the interval (${interval})`),

  // --- actions -----------------------------------------------------------
  triggerName: (at: SourcePosition, written: string) =>
    error('action.trigger', at, `trigger ${q(written)} is not supported; only \`<name>_inserted\` (after insert) is.`, 'e.g. `trigger: transaction_inserted`'),
  duplicateAction: (at: SourcePosition, name: string) => error('action.duplicate', at, `action ${q(name)} is defined twice in this entity.`, 'rename one'),
  unknownWorkflowEntity: (at: SourcePosition, name: string, suggestion: string | null) =>
    error(
      'workflow.unknown_entity',
      at,
      `workflow step targets entity ${q(name)}, which is not defined in the loaded specs.`,
      didYouMean(suggestion) ?? `define \`entity: ${name}\` (with its fields and primary_key) in a spec file, or remove the step`,
    ),
  unknownAssignmentTarget: (at: SourcePosition, column: string, entity: string, suggestion: string | null) =>
    error('workflow.unknown_column', at, `workflow step sets ${q(column)}, which ${entity} does not have.`, didYouMean(suggestion) ?? `add ${q(column)} to ${entity}'s fields`),
  conditionShape: (at: SourcePosition, alias: string) =>
    error('workflow.condition_shape', at, `a workflow condition must be \`key_column = ${alias}.field\`, joined by AND.`, `e.g. \`condition: "product_id = ${alias}.product_id"\``),
  duplicateStep: (at: SourcePosition, name: string) => error('workflow.duplicate_step', at, `step ${q(name)} appears twice in this workflow.`, 'give each step its own name'),
  conditionKey: (at: SourcePosition, entity: string, columns: readonly string[], key: readonly string[]) =>
    error(
      'workflow.condition_key',
      at,
      `the condition matches ${entity} on (${columns.join(', ')}), but ${key.length ? `its primary key is (${key.join(', ')})` : 'it has no primary key'}; the generated upsert needs the whole key.`,
      key.length ? `match on exactly (${key.join(', ')})` : `give ${entity} \`primary_key: [${columns.join(', ')}]\``,
    ),
  materializedViewsHintUnused: (at: SourcePosition) =>
    warning('workflow.materialized_views_hint', at, '`materialized_views: true`, but no step targets an entity with a `materialized_view`.', 'add `materialized_view:` to a target entity or drop the hint'),

  // --- expressions ---------------------------------------------------------
  expressionSyntax: (at: SourcePosition, parserMessage: string) =>
    error('expression.syntax', at, `PostgreSQL cannot parse this expression: ${parserMessage}.`, 'write one SQL expression (no second statement, no FROM, no AS)'),
  expressionNotRendered: (at: SourcePosition, detail: string) =>
    error('expression.unsupported', at, `this expression cannot be rendered back to SQL exactly: ${detail}.`, 'simplify the expression'),
  expressionProblem: (at: SourcePosition, problem: ExpressionProblem, context: ExpressionContext, entity: string, row: { alias: string; trigger: string; source: string } | null): Diagnostic => {
    const code = `expression.${problem.kind}`;
    const where = context === 'default' ? 'a default' : context === 'view' ? 'a view expression' : 'a workflow expression';
    const functionList = allowedFunctions(context).join(', ');
    switch (problem.kind) {
      case 'subquery':
        return error(code, at, `subqueries are not allowed in ${where}.`, context === 'default' ? 'use a constant or a function of constants' : 'compute it in a workflow step or a view column instead');
      case 'unknown_column':
        return error(code, at, `${q(problem.name)} is not a column of ${entity}.`, didYouMean(problem.suggestion) ?? (row ? `use a column of ${entity} or \`${row.alias}.<field>\` of ${row.source}` : undefined));
      case 'column_not_allowed':
        return error(code, at, `a default cannot read a column (${q(problem.name)}): PostgreSQL computes it before the row exists.`, 'use a constant or a function of constants, e.g. `now()`');
      case 'unknown_row_field':
        return error(code, at, `\`${row?.alias ?? 'row'}.${problem.name}\`: ${row?.source ?? 'the source entity'} has no field ${q(problem.name)}.`, didYouMean(problem.suggestion));
      case 'wrong_row_alias':
        return row
          ? error(
              code,
              at,
              `${q(problem.name)}: the inserted row is called \`${row.alias}\` in this workflow (its trigger is \`${row.trigger}\`: the alias is the trigger's name without \`_inserted\`).`,
              `write \`${problem.suggestion}\``,
            )
          : error(code, at, `${q(problem.name)}: only bare column names are allowed.`);
      case 'bad_qualifier':
        return error(code, at, `${q(problem.name)}: only bare column names${row ? ` and \`${row.alias}.<field>\`` : ''} are allowed.`, context === 'view' ? 'name the column alone: a view reads only its own entity' : undefined);
      case 'star':
        return error(code, at, '`*` is not allowed in an expression.', 'name the columns');
      case 'volatile':
        return context === 'view'
          ? error(
              code,
              at,
              `${q(problem.name)} makes the view's contents depend on when it was last refreshed (and on refresh frequency), not on the data.`,
              'store the time you need in a column (e.g. first_sale_date / last_sale_date) and compute from columns only',
            )
          : error(
              code,
              at,
              `${q(problem.name)} gives a different value each time it runs; a batched workflow would not give the same result as applying rows one by one.`,
              `store the value in a column of ${row?.source ?? 'the source entity'} (e.g. with a default) and read it as \`${row?.alias ?? 'row'}.<field>\``,
            );
      case 'function_not_allowed':
        return error(code, at, `function ${q(problem.name)} is not allowed in ${where}.`, `${problem.suggestion ? `did you mean \`${problem.suggestion}\`? ` : ''}allowed: ${functionList}; operators, CASE, COALESCE, NULLIF, GREATEST, LEAST and casts`);
      case 'function_qualified':
        return error(code, at, `function ${q(problem.name)} is schema-qualified: only PostgreSQL's built-in functions are allowed (unqualified or \`pg_catalog.\`).`, `allowed: ${functionList}`);
      case 'aggregate':
        return error(code, at, `aggregate or window call ${q(problem.name)} is not allowed: an expression sees one row.`, context === 'workflow' ? `workflows aggregate by themselves: write the per-row update, e.g. \`total + ${row?.alias ?? 'transaction'}.amount\`` : undefined);
      case 'set_returning':
        return error(code, at, `set-returning function ${q(problem.name)} is not allowed: an expression gives one value.`, 'compute one value from the row, e.g. with CASE or COALESCE');
      case 'operator_not_allowed':
        return error(code, at, `operator ${q(problem.name)} is not allowed in spec expressions.`, `allowed: ${ALLOWED_OPERATORS.join(' ')}, AND, OR, NOT, IS [NOT] NULL, [NOT] IN, BETWEEN, [I]LIKE, IS [NOT] DISTINCT FROM`);
      case 'operator_qualified':
        return error(code, at, `${q(problem.name)}: schema-qualified operators are not allowed.`, 'write the plain operator symbol, e.g. `+`');
      case 'cast_not_allowed':
        return error(
          code,
          at,
          `cast to ${q(problem.name)} is not allowed: casts may target only the spec's own types.`,
          `${problem.suggestion ? `did you mean \`${problem.suggestion}\`? ` : ''}allowed: ${ALLOWED_CAST_TYPES.join(', ')} (or their SQL spellings: integer, decimal(p,s), varchar(n), timestamptz, …)`,
        );
      case 'parameter':
        return error(code, at, `parameter ${q(problem.name)} is not allowed.`, row ? `use \`${row.alias}.<field>\`` : 'write the value itself');
      case 'unsupported':
        return error(code, at, `this SQL construct (${problem.name}) is not supported in spec expressions.`, 'use operators, CASE, COALESCE, NULLIF, GREATEST, LEAST, casts and the allowed functions');
    }
  },

  // --- materialized views ----------------------------------------------------
  refreshInterval: (at: SourcePosition, written: string) =>
    error(
      'view.refresh_interval',
      at,
      `\`refresh_interval\` ${q(written)} cannot be scheduled with cron.`,
      'the range is 1 second to 1 week: use N seconds (1–59), N minutes (N divides 60), N hours (N divides 24), `1 day` or `1 week`',
    ),
  refreshIntervalMissing: (at: SourcePosition) =>
    error('view.refresh_interval', at, 'a materialized view needs `refresh_interval`.', 'e.g. `refresh_interval: "1 hour"`'),
  concurrentNeedsKey: (at: SourcePosition, name: string) =>
    error(
      'view.concurrent_needs_key',
      at,
      `${q(name)} is refreshed concurrently, which needs a unique key, but the entity has no primary key and \`view.key\` is not set.`,
      'add `primary_key: [...]` (or `view: { key: [...] }`), or use `refresh_strategy: blocking`',
    ),
  viewWithoutName: (at: SourcePosition) =>
    error('view.without_name', at, '`view` / `refresh_*` keys need `materialized_view: <name>`.', 'add `materialized_view: <name>`'),
};
