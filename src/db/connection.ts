/** Connection helpers shared by the CLI, the provider and the tests. */
import { Client, type ClientConfig } from 'pg';

/** Opens a client; `application_name` makes our sessions visible in pg_stat_activity. */
export async function connect(url: string, applicationName = 'specql'): Promise<Client> {
  const config: ClientConfig = { connectionString: url, application_name: applicationName };
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
