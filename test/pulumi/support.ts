/** Shared pieces of the Pulumi tests: temporary spec dirs, URLs with a password, catalog queries. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withClient } from '../../src/db/connection';
import type { ResourceEvent, RunResult } from '../support/pulumi-engine';

export const ENTITY_TYPE = 'pulumi-nodejs:dynamic/specql:Entity';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `specql-${prefix}-`));
}

export function writeSpecs(dir: string, files: Record<string, string>): string {
  const specs = path.join(dir, 'specs');
  fs.mkdirSync(specs, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(specs, name), text);
  return specs;
}

/**
 * The test database's URL with a password in it, so that "the secret never
 * reaches the state" is a real check. If the server URL has none, one is added
 * (the test server trusts local connections, so it is carried but not needed).
 */
export function withPassword(url: string): { url: string; password: string } {
  const parsed = new URL(url);
  if (!parsed.password) parsed.password = `pw-${Math.random().toString(36).slice(2)}-Sekret`;
  return { url: parsed.toString(), password: decodeURIComponent(parsed.password) };
}

export async function tables(url: string, schema: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1`,
      [schema],
    );
    return r.rows.map((row) => row.relname as string);
  });
}

export async function indexes(url: string, schema: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY 1`, [schema]);
    return r.rows.map((row) => row.indexname as string);
  });
}

export function entityEvents(result: RunResult): ResourceEvent[] {
  return result.events.filter((e) => e.type === ENTITY_TYPE);
}

export function opsOf(result: RunResult): Record<string, string> {
  return Object.fromEntries(entityEvents(result).map((e) => [e.name, e.op]));
}

/** Fails with the deployment's own error text, as the CLI would print it. */
export function expectNoErrors(result: RunResult): void {
  if (result.errors.length > 0) throw new Error(`deployment failed:\n${result.errors.join('\n')}`);
}
