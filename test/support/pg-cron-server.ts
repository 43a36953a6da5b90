/**
 * A throw-away PostgreSQL 15 cluster with pg_cron preloaded, for the pg_cron
 * tests. It uses Debian's server binaries (/usr/lib/postgresql/15/bin) and the
 * package `postgresql-15-cron`, which only adds files: the machine's own
 * PostgreSQL service is never touched. The cluster lives in a temp dir, listens
 * on 127.0.0.1 on a free port, and pg_cron works in one database only
 * (`cron.database_name`), created after start: CRON_DATABASE.
 *
 * The cluster itself is src/db/cluster.ts.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { startCluster } from '../../src/db/cluster';

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

export async function startPgCronServer(): Promise<PgCronServer> {
  const unavailable = pgCronUnavailable();
  if (unavailable) throw new Error(`pg_cron test server: ${unavailable} (apt-get install postgresql-15-cron)`);
  const cluster = await startCluster({
    binDir: PG_BIN,
    settings: {
      shared_preload_libraries: 'pg_cron',
      'cron.database_name': CRON_DATABASE,
      // Jobs connect back over TCP to this server (pg_cron's default, as in production).
      'cron.host': '127.0.0.1',
    },
    databases: [CRON_DATABASE],
  });
  return {
    url: `postgresql://postgres@127.0.0.1:${cluster.port}/${CRON_DATABASE}`,
    adminUrl: cluster.url,
    port: cluster.port,
    log: cluster.log,
    stop: cluster.stop,
  };
}
