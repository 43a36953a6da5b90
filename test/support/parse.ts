/**
 * Checks SQL with PostgreSQL's own parser (libpg-query, the server's grammar
 * compiled to WASM): every generated statement, and every plpgsql body.
 */
import { loadModule, parsePlPgSQLSync, parseSync } from 'libpg-query';

let loaded: Promise<void> | null = null;

/** Call once (beforeAll) before the sync parsers. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

/** Number of statements; throws with the parser's message and the SQL on a syntax error. */
export function parseSql(sql: string): number {
  try {
    return parseSync(sql).stmts?.length ?? 0;
  } catch (error) {
    throw new Error(`PostgreSQL parser rejected:\n${sql}\n→ ${(error as Error).message}`);
  }
}

/** Parses a CREATE FUNCTION … LANGUAGE plpgsql statement down to its body's statements. */
export function parsePlpgsql(createFunction: string): void {
  try {
    parsePlPgSQLSync(createFunction);
  } catch (error) {
    throw new Error(`PL/pgSQL parser rejected:\n${createFunction}\n→ ${(error as Error).message}`);
  }
}
