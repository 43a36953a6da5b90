/**
 * Step 3 of the partition maintenance function: rows waiting in DEFAULT.
 *
 * Rows land in DEFAULT when no partition covers them: late telemetry or a
 * backfill older than the window's start, or rows beyond the premade window.
 * Each interval that has such rows gets its partition, made the same online
 * way as the window's own (EXCLUSIVE on the parent and DEFAULT: reads go on,
 * writers wait and then route to the new partition; a standalone table LIKE
 * the parent; DELETE … RETURNING feeding its INSERT; ATTACH), so DEFAULT ends
 * empty and no row is lost or seen twice. Rows older than the retention
 * cutoff go where their partition would have gone: into a table of the same
 * name in the archive schema (created if needed).
 *
 * Everything here is generated from quoted identifiers and literals; the
 * partition column's type decides how a value is truncated to its interval
 * (in UTC for timestamptz, as the bounds are).
 */
import type { PartitionInterval } from '../spec/model';
import type { QualifiedName } from '../model/objects';
import { renameChildIndexesLines } from './partition-index-names';
import { quoteLiteral } from '../model/ident';
import { PARTITION_SUFFIX_FORMAT } from './naming';

/** `date_trunc` field per partition interval (weeks start on Monday, like the bounds). */
const TRUNC_FIELD: Readonly<Record<PartitionInterval, string>> = {
  daily: 'day',
  weekly: 'week',
  monthly: 'month',
  yearly: 'year',
};

export interface LateRowsInput {
  readonly table: QualifiedName;
  readonly interval: PartitionInterval;
  /** format_type spelling of the partition column. */
  readonly columnType: string;
  /** The name-shortening lines of the maintenance function (empty when names always fit). */
  readonly shortenName: readonly string[];
}

/** The partition column as a UTC wall-clock timestamp, as a format() pattern (`%I` is the column). */
function truncatable(columnType: string): string {
  if (columnType === 'timestamp with time zone') return "(%I AT TIME ZONE 'UTC')";
  if (columnType === 'date') return '%I::timestamp';
  return '%I';
}

/** plpgsql lines (inside the function body) that empty DEFAULT; uses the function's variables. */
export function lateRowsBlock(input: LateRowsInput): string[] {
  const distinct = `SELECT DISTINCT date_trunc(${quoteLiteral(TRUNC_FIELD[input.interval])}, ${truncatable(input.columnType)})::date FROM %s ORDER BY 1`;
  const indent = (lines: readonly string[], by: string): string[] => lines.map((l) => (l ? by + l.replace(/^ {4}/, '') : l));
  return [
    '',
    '  -- 3. Rows waiting in DEFAULT (late, or beyond the window): each of their intervals gets its',
    '  --    partition, made the same online way, so DEFAULT ends empty. Intervals older than the',
    '  --    retention cutoff go into the archive schema, where their partition would be.',
    "  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', v_default) INTO v_late;",
    '  IF v_late THEN',
    "    EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', v_parent);",
    "    EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', v_default);",
    `    FOR v_from IN EXECUTE format(${quoteLiteral(distinct)}, v_column, v_default) LOOP`,
    '      v_to := (v_from + v_step)::date;',
    `      v_name := ${quoteLiteral(`${input.table.name}_p`)} || to_char(v_from, ${quoteLiteral(PARTITION_SUFFIX_FORMAT[input.interval])});`,
    ...indent(input.shortenName, '      '),
    "      v_lower := to_char(v_from, 'YYYY-MM-DD') || ' 00:00:00+00';",
    "      v_upper := to_char(v_to, 'YYYY-MM-DD') || ' 00:00:00+00';",
    '      IF v_cutoff IS NOT NULL AND v_to <= v_cutoff THEN',
    '        -- Beyond retention: archived like its partition (never attached, never deleted).',
    "        IF to_regclass(format('%I.%I', v_archive_schema, v_name)) IS NULL THEN",
    "          EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)',",
    '                         v_archive_schema, v_name, v_parent);',
    '        END IF;',
    "        EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO %I.%I SELECT * FROM moved',",
    '                       v_default, v_column, v_lower, v_column, v_upper, v_archive_schema, v_name);',
    '        GET DIAGNOSTICS v_moved = ROW_COUNT;',
    "        v_done := v_done || format('archived %s late rows into %I.%I', v_moved, v_archive_schema, v_name);",
    '      ELSE',
    "        EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)',",
    '                       v_schema, v_name, v_parent);',
    "        EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO %I.%I SELECT * FROM moved',",
    '                       v_default, v_column, v_lower, v_column, v_upper, v_schema, v_name);',
    '        GET DIAGNOSTICS v_moved = ROW_COUNT;',
    "        EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',",
    '                       v_parent, v_schema, v_name, v_lower, v_upper);',
    ...renameChildIndexesLines('        '),
    "        v_done := v_done || format('created %I.%I (moved %s late rows from DEFAULT)', v_schema, v_name, v_moved);",
    '      END IF;',
    '    END LOOP;',
    '  END IF;',
  ];
}
