/** Connection helpers shared by the CLI, the provider and the tests. */
import { Client, type ClientConfig } from 'pg';

/**
 * The search_path of sessions that run generated DDL. Every relation in it is
 * schema-qualified; unqualified functions, operators and types in view and
 * default expressions must resolve to PostgreSQL's built-ins, never to a
 * better-matching overload someone planted in a schema on the caller's path
 * (pg_catalog first, and pg_temp is never searched for functions or operators).
 */
export const PINNED_SEARCH_PATH = 'pg_catalog, pg_temp';

export interface ConnectOptions {
  /** Pin the session's search_path to PINNED_SEARCH_PATH (apply and plan sessions). */
  readonly pinSearchPath?: boolean;
}

/** Opens a client; `application_name` makes our sessions visible in pg_stat_activity. */
export async function connect(url: string, applicationName = 'specql', options: ConnectOptions = {}): Promise<Client> {
  const config: ClientConfig = {
    connectionString: url,
    application_name: applicationName,
    ...(options.pinSearchPath ? { options: `-c search_path=${PINNED_SEARCH_PATH.replace(/ /g, '')}` } : {}),
  };
  const client = new Client(config);
  watchConnection(client);
  await client.connect();
  return client;
}

/**
 * The error that ended a client's connection, if it ended (the server
 * terminated the backend, a failover, the network). pg reports a lost
 * connection both to the running query and as an 'error' event on the
 * client; an 'error' event with no listener is thrown by Node as
 * `Unhandled 'error' event` and kills the process, so every client gets a
 * listener that records the error instead — the query's own rejection is
 * what callers handle.
 */
const lost = new WeakMap<Client, Error>();

export function watchConnection<T extends Client>(client: T): T {
  client.on('error', (err: Error) => {
    if (!lost.has(client)) lost.set(client, err);
  });
  client.on('end', () => {
    if (!lost.has(client)) lost.set(client, new Error('the connection was closed'));
  });
  return client;
}

export function connectionLost(client: Client): Error | null {
  return lost.get(client) ?? null;
}

/**
 * SQLSTATEs (and pg's own message for a socket that closed) meaning the
 * session is gone: its open transaction was rolled back by the server and
 * nothing more can run on this client.
 *  57P01 admin_shutdown (pg_terminate_backend, a fast shutdown), 57P02
 *  crash_shutdown, 57P03 cannot_connect_now, class 08 connection exceptions.
 */
export function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (['57P01', '57P02', '57P03'].includes(code) || code.startsWith('08')) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|Client was closed|not queryable|ECONNRESET|EPIPE/i.test(message);
}

/** Runs `fn` with a fresh client and always closes it. */
export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
