/**
 * One server check's block, wrapped so that an error inside it is a failed
 * check (its measured value is the error) instead of an aborted run: as a
 * nested plpgsql block for the pgTAP functions, and as a temporary function
 * (pg_temp, gone with the transaction that `specql verify` rolls back).
 */
import type { ServerCheck } from './types';

/** A custom SQLSTATE a block raises to undo its own work (caught right away). */
export const UNDO_SQLSTATE = 'SQVR0';

const indent = (text: string, by = '  '): string => text.split('\n').map((l) => (l ? by + l : l)).join('\n');

/**
 * A self-contained statement: resets v_ok/v_measured/v_details, runs the
 * check with its own variables, catches any error, and undoes everything the
 * check did (its rows, a disabled trigger, a refreshed view) while keeping the
 * three variables, which a rollback does not touch. The enclosing function
 * declares v_ok boolean, v_measured text and v_details text.
 */
export function guardedBlock(check: ServerCheck): string {
  return [
    "v_ok := false; v_measured := ''; v_details := '';",
    'BEGIN',
    '  DECLARE',
    indent(check.declarations.map((d) => `${d};`).join('\n'), '    '),
    '  BEGIN',
    indent(check.block, '    '),
    '  EXCEPTION WHEN OTHERS THEN',
    "    v_ok := false; v_measured := 'error: ' || SQLERRM || ' (SQLSTATE ' || SQLSTATE || ')'; v_details := '';",
    '  END;',
    `  RAISE EXCEPTION 'undo' USING ERRCODE = '${UNDO_SQLSTATE}';`,
    `EXCEPTION WHEN SQLSTATE '${UNDO_SQLSTATE}' THEN NULL;`,
    'END;',
  ].join('\n');
}

/** Dollar-quote tag that cannot clash with the body. */
export function dollarTag(body: string): string {
  let tag = '$check$';
  for (let i = 1; body.includes(tag); i++) tag = `$check${i}$`;
  return tag;
}

export const TEMP_FUNCTION = 'pg_temp.specql_verify_check';

/** CREATE FUNCTION pg_temp.specql_verify_check() RETURNS jsonb: {ok, measured, details}. */
export function temporaryCheckFunction(check: ServerCheck): string {
  const body = [
    'DECLARE',
    '  v_ok boolean;',
    '  v_measured text;',
    '  v_details text;',
    'BEGIN',
    indent(guardedBlock(check)),
    "  RETURN jsonb_build_object('ok', coalesce(v_ok, false), 'measured', coalesce(v_measured, ''), 'details', coalesce(v_details, ''));",
    'END;',
  ].join('\n');
  const tag = dollarTag(body);
  return [
    `CREATE FUNCTION ${TEMP_FUNCTION}() RETURNS jsonb`,
    'LANGUAGE plpgsql',
    'SET search_path = pg_catalog, pg_temp',
    `AS ${tag}`,
    body,
    `${tag};`,
  ].join('\n');
}
