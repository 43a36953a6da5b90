/**
 * A throw-away PostgreSQL 15 cluster with pg_cron preloaded, for the pg_cron
 * tests. It uses Debian's server binaries (/usr/lib/postgresql/15/bin) and the
 * package `postgresql-15-cron`, which only adds files: the machine's own
 * PostgreSQL service is never touched. The cluster lives in a temp dir, listens
 * on 127.0.0.1 on a free port, and pg_cron works in one database only
 * (`cron.database_name`), created after start: CRON_DATABASE.
 *
 * PostgreSQL refuses to run as root: as root, initdb and postgres run as the
 * OS user `postgres` (uid/gid looked up with `id`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort, makeTempBase } from '../../src/db/embedded';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const PG_CRON_LIBRARY = '/usr/lib/postgresql/15/lib/pg_cron.so';
export const PG_CRON_CONTROL = '/usr/share/postgresql/15/extension/pg_cron.control';
/** The one database pg_cron's extension can be created in (and jobs run in by default). */
export const CRON_DATABASE = 'specql_cron';

export interface PgCronServer {
  /** The cron database (CRON_DATABASE). */
  readonly url: string;
  /** The `postgres` maintenance database of the same cluster. */
  readonly adminUrl: string;
  readonly port: number;
  /** The server log so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** Why pg_cron tests cannot run here, or null when they can. */
export function pgCronUnavailable(): string | null {
  const missing = [path.join(PG_BIN, 'initdb'), path.join(PG_BIN, 'postgres'), PG_CRON_LIBRARY, PG_CRON_CONTROL].filter((f) => !existsSync(f));
  if (missing.length === 0) return null;
  return `missing ${missing.join(', ')}`;
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string): number => {
    const out = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`running as root needs the OS user "postgres" to run PostgreSQL: id ${flag} postgres: ${out.stderr.trim()}`);
    return Number(out.stdout.trim());
  };
  return { uid: id('-u'), gid: id('-g') };
}

async function waitForServer(url: string, child: ChildProcess, logs: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pg_cron test server exited with code ${child.exitCode}:\n${logs.join('')}`);
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) throw new Error(`pg_cron test server did not accept connections within ${timeoutMs} ms:\n${logs.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startPgCronServer(): Promise<PgCronServer> {
  const unavailable = pgCronUnavailable();
  if (unavailable) throw new Error(`pg_cron test server: ${unavailable} (apt-get install postgresql-15-cron)`);
  const base = makeTempBase('specql-cron-');
  const dataDir = path.join(base, 'data');
  const owner = isRoot() ? postgresUser() : null;
  if (owner) chownSync(base, owner.uid, owner.gid);
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  const removeBase = (): void => rmSync(base, { recursive: true, force: true });

  const init = spawnSync(
    path.join(PG_BIN, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
    { ...as, env, cwd: base, encoding: 'utf8' },
  );
  if (init.status !== 0) {
    removeBase();
    throw new Error(`initdb failed (${init.status}):\n${init.stdout}\n${init.stderr}`);
  }

  const port = await freePort();
  const logs: string[] = [];
  const child = spawn(
    path.join(PG_BIN, 'postgres'),
    [
      '-D', dataDir,
      '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${base}`,
      '-c', 'fsync=off',
      '-c', 'shared_preload_libraries=pg_cron',
      '-c', `cron.database_name=${CRON_DATABASE}`,
      // Jobs connect back over TCP to this server (pg_cron's default, as in production).
      '-c', 'cron.host=127.0.0.1',
    ],
    { ...as, env, cwd: base, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => logs.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
  // If the test process dies without stop(), do not leave the server behind.
  const killOnExit = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGINT'); // fast shutdown
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    removeBase();
  };

  const adminUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  try {
    await waitForServer(adminUrl, child, logs, 30_000);
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${CRON_DATABASE}`);
    } finally {
      await admin.end();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/${CRON_DATABASE}`,
    adminUrl,
    port,
    log: () => logs.join(''),
    stop,
  };
}
