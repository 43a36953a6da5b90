/**
 * pgTAP tests for the in-database checks, so that the seed's own
 * `SELECT * FROM runtests('analytics.performance_test');` works literally.
 *
 * How pgTAP resolves that call (checked on PostgreSQL 15 with pgTAP 1.2):
 * the untyped literal picks `runtests(text)`, whose argument is a regular
 * expression matched against the *names* of the functions *visible on the
 * search_path* (findfuncs); the schema is not a qualifier there. A function
 * `analytics.performance_test()` is therefore never found (the run prints
 * `1..0`). What is found: functions named `analytics_performance_test_…`
 * (`.` matches `_`) in a schema on the search_path. So the tests live in the
 * schema pgTAP itself was installed in, which is on the search_path whenever
 * `runtests(...)` resolves unqualified, named
 * `<schema>_performance_test_<NN>_<check>`, one per check kind and schema, in
 * the seed's order (pgTAP runs them sorted by name).
 *
 * Each test function is SECURITY INVOKER (it runs with the rights of whoever
 * runs the tests; pgTAP looks up its own helpers through the search_path, which
 * is pinned to pg_catalog, pgTAP's schema, pg_temp), EXECUTE is revoked from
 * PUBLIC, and pgTAP rolls every test back. The checks that need several
 * sessions (REINDEX CONCURRENTLY, concurrent clients) are pgTAP skips that say
 * to run `specql verify`.
 */
import type { Client } from 'pg';
import { fitIdentifier, qualify, quoteIdent, quoteLiteral } from '../model/ident';
import type { SpecSet } from '../spec/model';
import { deriveChecks, type DeriveOptions } from './derive';
import { pgTapStatus } from './run';
import { CHECK_KINDS, type Check, type CheckKind } from './types';
import { dollarTag, guardedBlock } from './wrap';

export const PGTAP_MARKER = 'specql:pgtap';

export interface PgTapFunction {
  readonly schema: string;
  readonly name: string;
  /** The schema whose entities it tests (what `runtests('<schema>.performance_test')` selects). */
  readonly tests: string;
  readonly sql: string;
}

export const testFunctionName = (schema: string, kind: CheckKind): string =>
  fitIdentifier(`${schema}_performance_test_${String(CHECK_KINDS.indexOf(kind) + 1).padStart(2, '0')}_${kind}`);

const indent = (text: string, by = '  '): string => text.split('\n').map((l) => (l ? by + l : l)).join('\n');

function testStatements(check: Check, tap: string): string {
  const description = quoteLiteral(check.description);
  if (check.where === 'client') return `RETURN NEXT ${tap}.skip(${description} || ${quoteLiteral(`: ${check.pgTapSkip}`)});`;
  return [
    guardedBlock(check),
    `RETURN NEXT ${tap}.ok(coalesce(v_ok, false), ${description} || ' # measured ' || coalesce(v_measured, ''));`,
    "IF NOT coalesce(v_ok, false) AND coalesce(v_details, '') <> '' THEN",
    `  RETURN NEXT ${tap}.diag(v_details);`,
    'END IF;',
  ].join('\n');
}

/** One test function per (schema, check kind), in `tapSchema` (where pgTAP is installed). */
export function pgTapFunctions(specs: SpecSet, tapSchema: string, options: DeriveOptions = {}): PgTapFunction[] {
  const checks = deriveChecks(specs, options);
  const tap = quoteIdent(tapSchema);
  const out: PgTapFunction[] = [];
  for (const schema of [...new Set(checks.map((c) => c.schema))].sort()) {
    for (const kind of CHECK_KINDS) {
      const group = checks.filter((c) => c.schema === schema && c.kind === kind);
      if (group.length === 0) continue;
      const name = testFunctionName(schema, kind);
      const body = ['DECLARE', '  v_ok boolean;', '  v_measured text;', '  v_details text;', 'BEGIN', ...group.map((c) => indent(testStatements(c, tap))), 'END;'].join('\n');
      const tag = dollarTag(body);
      const sql = [
        `CREATE OR REPLACE FUNCTION ${qualify(tapSchema, name)}()`,
        'RETURNS SETOF text',
        'LANGUAGE plpgsql',
        'VOLATILE',
        'SECURITY INVOKER',
        `SET search_path = pg_catalog, ${tap}, pg_temp`,
        `AS ${tag}`,
        body,
        `${tag};`,
      ].join('\n');
      out.push({ schema: tapSchema, name, tests: schema, sql });
    }
  }
  return out;
}

export interface PgTapInstall {
  /** pgTAP's schema, or null when the extension is not installed (nothing was done). */
  readonly schema: string | null;
  readonly functions: readonly string[];
  readonly dropped: readonly string[];
  /** `SELECT * FROM runtests('analytics.performance_test');` per tested schema. */
  readonly calls: readonly string[];
}

/**
 * Creates (or replaces) the test functions when the pgtap extension is
 * installed, and drops ours that the specs no longer imply, in one
 * transaction. Functions of other spec sets (other schemas) are left alone.
 */
export async function installPgTapTests(client: Client, specs: SpecSet, options: DeriveOptions = {}): Promise<PgTapInstall> {
  const status = await pgTapStatus(client);
  if (status.schema === null) return { schema: null, functions: [], dropped: [], calls: [] };
  const functions = pgTapFunctions(specs, status.schema, options);
  const tested = [...new Set(specs.entities.map((e) => e.schema))];
  const { rows: existing } = await client.query<{ name: string; signature: string; comment: string }>(
    `SELECT p.proname AS name, p.oid::regprocedure::text AS signature, obj_description(p.oid, 'pg_proc') AS comment
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = $1 AND obj_description(p.oid, 'pg_proc') LIKE $2`,
    [status.schema, `${PGTAP_MARKER};%`],
  );
  const markerOf = (f: { tests: string }): string => `${PGTAP_MARKER};schema=${f.tests}`;
  const stale = existing.filter((e) => tested.some((s) => e.comment === markerOf({ tests: s })) && !functions.some((f) => f.name === e.name));
  await client.query('BEGIN');
  try {
    for (const f of functions) {
      await client.query(f.sql);
      await client.query(`REVOKE EXECUTE ON FUNCTION ${qualify(f.schema, f.name)}() FROM PUBLIC`);
      await client.query(`COMMENT ON FUNCTION ${qualify(f.schema, f.name)}() IS ${quoteLiteral(markerOf(f))}`);
    }
    // regprocedure text is already quoted and qualified as PostgreSQL prints it.
    for (const s of stale) await client.query(`DROP FUNCTION IF EXISTS ${s.signature}`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return {
    schema: status.schema,
    functions: functions.map((f) => `${f.schema}.${f.name}`),
    dropped: stale.map((s) => s.signature),
    calls: [...new Set(functions.map((f) => f.tests))].map((s) => `SELECT * FROM runtests('${s}.performance_test');`),
  };
}
