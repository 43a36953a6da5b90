/**
 * Independent comparison of two databases, for the migration sequences
 * (test/migrations): nothing here uses specql's own catalog reader or
 * planner, so a blind spot of theirs cannot hide a difference.
 *
 *  1. `@pgkit/migra` (a port of migra): the SQL that would turn one schema
 *     into the other — tables, columns and types, constraints, indexes,
 *     views, functions, triggers, sequences, extensions (and privileges).
 *  2. A catalog snapshot read straight from pg_catalog for what migra does
 *     not compare: comments on every object, ACLs, column defaults on every
 *     relation (partitions included) and column order.
 *
 * Each difference is one line of text; a test lists the expected ones with
 * their reason.
 */
import { run as migra } from '@pgkit/migra';
import type { Pool } from 'pg';

export interface SchemaDifference {
  /** `migra` or `snapshot`. */
  readonly source: 'migra' | 'snapshot';
  /** One statement (migra) or one `- live` / `+ fresh` snapshot line. */
  readonly text: string;
}

/** migra's statements to turn `live` into `fresh` (empty when they match), one per difference. */
export async function migraDifferences(liveUrl: string, freshUrl: string): Promise<SchemaDifference[]> {
  // Every non-system schema at once (migra leaves pg_catalog and information_schema out itself).
  const migration = await quietly(() => migra(liveUrl, freshUrl, { unsafe: true, withPrivileges: true }));
  return [...migration.statements]
    .map((s) => s.trim())
    .filter(Boolean)
    // A session setting migra prefixes to function bodies, not a difference.
    .filter((statement) => !/^set check_function_bodies = off;$/i.test(statement))
    .map((statement) => ({ source: 'migra' as const, text: statement.replace(/\s+/g, ' ') }));
}

/** pg-promise (under @pgkit/client) warns, with a stack, whenever a URL is connected to twice in one process; that is all it prints. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const { warn, log } = console;
  console.warn = () => undefined;
  console.log = () => undefined;
  try {
    return await fn();
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

/** Catalog facts migra leaves out, one line each, sorted. */
export async function catalogSnapshot(pool: Pool, schemas: readonly string[]): Promise<string[]> {
  const lines: string[] = [];
  const add = (rows: { line: string }[]): void => void lines.push(...rows.map((r) => r.line));
  const q = async (sql: string): Promise<{ line: string }[]> => (await pool.query<{ line: string }>(sql, [schemas])).rows;
  // Comments on relations (tables, partitions, indexes, views, sequences) and their columns.
  add(await q(`SELECT format('comment %s %I.%I: %s', c.relkind, n.nspname, c.relname, d.description) AS line
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
                WHERE n.nspname = ANY($1)`));
  add(await q(`SELECT format('comment column %I.%I.%I: %s', n.nspname, c.relname, a.attname, d.description) AS line
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_attribute a ON a.attrelid = c.oid
                 JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
                WHERE n.nspname = ANY($1)`));
  // Functions, triggers, schemas.
  add(await q(`SELECT format('comment function %s: %s', p.oid::regprocedure, d.description) AS line
                 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
                WHERE n.nspname = ANY($1)`));
  add(await q(`SELECT format('comment trigger %I on %I.%I: %s', t.tgname, n.nspname, c.relname, d.description) AS line
                 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_description d ON d.objoid = t.oid AND d.classoid = 'pg_trigger'::regclass
                WHERE n.nspname = ANY($1) AND NOT t.tgisinternal`));
  add(await q(`SELECT format('comment schema %I: %s', n.nspname, d.description) AS line
                 FROM pg_namespace n JOIN pg_description d ON d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass
                WHERE n.nspname = ANY($1)`));
  // ACLs (NULL: the owner's defaults), owners left out (both databases are built by the same role).
  add(await q(`SELECT format('acl %s %I.%I: %s', c.relkind, n.nspname, c.relname, coalesce(array_to_string(ARRAY(SELECT x::text FROM unnest(c.relacl) x ORDER BY 1), ','), 'default')) AS line
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')`));
  add(await q(`SELECT format('acl function %s: %s', p.oid::regprocedure, coalesce(array_to_string(ARRAY(SELECT x::text FROM unnest(p.proacl) x ORDER BY 1), ','), 'default')) AS line
                 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1)`));
  add(await q(`SELECT format('acl schema %I: %s', n.nspname, coalesce(array_to_string(ARRAY(SELECT x::text FROM unnest(n.nspacl) x ORDER BY 1), ','), 'default')) AS line
                 FROM pg_namespace n WHERE n.nspname = ANY($1)`));
  // Column defaults on every relation, partitions included (a partition made without
  // INCLUDING DEFAULTS has none, and a direct insert into it then gets NULLs).
  add(await q(`SELECT format('default %I.%I.%I: %s', n.nspname, c.relname, a.attname, pg_get_expr(ad.adbin, ad.adrelid)) AS line
                 FROM pg_attrdef ad JOIN pg_class c ON c.oid = ad.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
                WHERE n.nspname = ANY($1)`));
  // Column order of every table, partition and view (PostgreSQL cannot reorder columns).
  add(await q(`SELECT format('columns %s %I.%I: %s', c.relkind, n.nspname, c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)) AS line
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                GROUP BY c.relkind, n.nspname, c.relname`));
  return lines.sort();
}

/** Lines only in `live` (`- …`) and only in `fresh` (`+ …`). */
export function snapshotDifferences(live: readonly string[], fresh: readonly string[]): SchemaDifference[] {
  const a = new Set(live);
  const b = new Set(fresh);
  return [
    ...live.filter((l) => !b.has(l)).map((l) => ({ source: 'snapshot' as const, text: `- ${l}` })),
    ...fresh.filter((l) => !a.has(l)).map((l) => ({ source: 'snapshot' as const, text: `+ ${l}` })),
  ];
}
