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
  await client.connect();
  return client;
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
