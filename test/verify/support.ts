/**
 * Shared by the verify tests: specs/ copied into a temp dir with a `verify:`
 * block in every entity (generous budgets for a healthy run on a loaded
 * machine, tiny ones to make the timing checks fail on purpose), a database
 * with specs/ applied, and a snapshot of everything verify must leave as it was.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Parser } from 'tap-parser';
import type { Pool } from 'pg';

/** Budgets no machine misses: a healthy database must pass whatever the load. */
export const GENEROUS = { bulk_load: '60 s', query: '60 s', refresh: '60 s', reader_wait: '60 s', client_p99: '60 s', trigger_overhead: 50 };
/** Budgets no machine meets: each timing check must fail and still print what it measured. */
export const TINY = { bulk_load: '0.001 ms', query: '0.001 ms', refresh: '0.001 ms', reader_wait: '0.001 ms', client_p99: '0.001 ms' };

export function specsWithBudgets(budgets: Readonly<Record<string, string | number>>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'specql-verify-specs-'));
  const block = `\nverify:\n${Object.entries(budgets).map(([k, v]) => `  ${k}: ${typeof v === 'number' ? v : JSON.stringify(v)}`).join('\n')}\n`;
  for (const name of readdirSync('specs')) {
    const text = readFileSync(path.join('specs', name), 'utf8');
    const docs = text.split(/^---$/m).map((doc) => `${doc.replace(/\s*$/, '')}\n${block}`);
    writeFileSync(path.join(dir, name), docs.join('---\n'));
  }
  return dir;
}

export interface TapAssert {
  readonly id: number;
  readonly ok: boolean;
  readonly name: string;
  readonly skip: string | false;
  readonly diag: Record<string, unknown> | null;
}

export interface ParsedTap {
  readonly plan: { start: number; end: number } | null;
  readonly asserts: TapAssert[];
  readonly ok: boolean;
}

/** Parses TAP with the `tap-parser` package (top level only; subtests are reported by it as asserts of their own level). */
export function parseTap(text: string): ParsedTap {
  const asserts: TapAssert[] = [];
  let plan: ParsedTap['plan'] = null;
  let ok = false;
  const parser = new Parser((results) => (ok = results.ok));
  parser.on('assert', (a: TapAssert) => asserts.push(a));
  parser.on('plan', (p: { start: number; end: number }) => (plan = p));
  parser.end(text);
  return { plan, asserts, ok };
}

/** `ok 3 - X # measured Y` → the description and the measured value. */
export function splitMeasured(name: string): { description: string; measured: string | null } {
  const at = name.lastIndexOf(' # measured ');
  return at < 0 ? { description: name, measured: null } : { description: name.slice(0, at), measured: name.slice(at + ' # measured '.length) };
}

/**
 * What verify must not change: the exact row count of every table in the
 * schemas, every relation with its kind, every index definition and validity,
 * every trigger and whether it is enabled, every function and its body. (The
 * rebuilt index of the REINDEX check keeps its name and definition.)
 */
export async function snapshot(pool: Pool, schemas: readonly string[]): Promise<Record<string, unknown>> {
  const relations = await pool.query<{ name: string; kind: string }>(
    `SELECT n.nspname || '.' || c.relname AS name, c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY($1) ORDER BY 1`,
    [schemas],
  );
  const counts: Record<string, number> = {};
  for (const r of relations.rows.filter((r) => r.kind === 'r' || r.kind === 'm')) {
    const [schema, name] = r.name.split('.');
    const { rows } = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${schema}"."${name}"`);
    counts[r.name] = Number(rows[0]!.n);
  }
  const indexes = await pool.query(
    `SELECT n.nspname || '.' || c.relname AS name, pg_get_indexdef(c.oid) AS def, x.indisvalid AS valid FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1) ORDER BY 1`,
    [schemas],
  );
  const triggers = await pool.query(
    `SELECT c.relname || '.' || t.tgname AS name, t.tgenabled::text AS enabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1) AND NOT t.tgisinternal ORDER BY 1`,
    [schemas],
  );
  const functions = await pool.query(
    `SELECT p.oid::regprocedure::text AS name, md5(p.prosrc) AS body FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = ANY($1) ORDER BY 1`,
    [schemas],
  );
  const temporary = await pool.query(
    `SELECT (SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE 'pg\\_temp%') AS relations,
            (SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname LIKE 'pg\\_temp%') AS functions`,
  );
  return { relations: relations.rows, counts, indexes: indexes.rows, triggers: triggers.rows, functions: functions.rows, temporary: temporary.rows };
}

/**
 * Statistics as autovacuum leaves them: every plain table and partition
 * analyzed, partitioned parents not (autovacuum never analyzes those), and
 * BRIN indexes fully summarized. The checks' plans must not depend on it.
 */
export async function analyzeLikeAutovacuum(pool: Pool): Promise<void> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'analytics' AND c.relkind IN ('r', 'm')`,
  );
  for (const r of rows) await pool.query(`ANALYZE ${r.name}`);
  // A BRIN index built after its rows summarizes them all (one built on an empty partition does
  // not, until VACUUM): what a REINDEX, such as verify's own, leaves. Plans must hold either way.
  const { rows: brin } = await pool.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_am am ON am.oid = c.relam WHERE n.nspname = 'analytics' AND c.relkind = 'i' AND am.amname = 'brin'`,
  );
  for (const r of brin) await pool.query(`REINDEX INDEX ${r.name}`);
}
