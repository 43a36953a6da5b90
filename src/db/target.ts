/**
 * Which database a command talks to: `--database-url`, else DATABASE_URL,
 * else an embedded PostgreSQL kept under `.specql/pgdata` in the current
 * directory (created on first use, with a database named `specql`), stopped
 * when the command ends. So `npm start` works on a machine with nothing else
 * installed.
 */
import { mkdirSync, chmodSync } from 'node:fs';
import * as path from 'node:path';
import { withClient, withDatabase } from './connection';
import { startEmbedded } from './embedded';

export interface DatabaseTarget {
  readonly url: string;
  /** For messages: `DATABASE_URL`, `--database-url`, or `embedded (.specql/pgdata)`. */
  readonly source: string;
  close(): Promise<void>;
}

export const EMBEDDED_DATABASE = 'specql';

/**
 * `handleSignals: false` leaves SIGINT/SIGTERM to the caller (the worker stops gracefully
 * first, then closes the target); by default they stop the embedded server and exit.
 */
export async function resolveDatabase(flag: string | undefined, cwd = process.cwd(), options: { handleSignals?: boolean } = {}): Promise<DatabaseTarget> {
  if (flag) return { url: flag, source: '--database-url', close: async () => undefined };
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, source: 'DATABASE_URL', close: async () => undefined };
  const base = path.join(cwd, '.specql');
  mkdirSync(base, { recursive: true });
  // The server may run as the `postgres` OS user (when we are root): it must be able to enter the folder.
  try {
    chmodSync(base, 0o755);
  } catch {
    /* not ours to change: startEmbedded explains if it cannot reach it */
  }
  const server = await startEmbedded({ dataDir: path.join(base, 'pgdata'), persistent: true });
  try {
    await withClient(server.url, async (c) => {
      const { rows } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
      if (rows.length === 0) await c.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
    });
  } catch (err) {
    await server.stop();
    throw err;
  }
  // Ctrl-C must not leave a server running in the background (its postmaster.pid would block the next run).
  const onSignal = (signal: NodeJS.Signals): void => {
    void server.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  return {
    url: withDatabase(server.url, EMBEDDED_DATABASE),
    source: `embedded PostgreSQL (${path.relative(cwd, server.dataDir) || server.dataDir})`,
    close: async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await server.stop();
    },
  };
}
