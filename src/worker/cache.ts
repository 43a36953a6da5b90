/**
 * The Redis hot cache (`view.cache`): after a refresh, the view's top rows as
 * one JSON array under one key, with a TTL. PostgreSQL renders the JSON
 * (json_agg keeps column order; numerics stay numbers), the worker only moves
 * the text. The query is built from quoted identifiers only; ties are broken
 * by the view's unique key so the same data always gives the same JSON.
 */
import { createClient } from 'redis';
import { qualify, quoteIdent, quoteLiteral } from '../model/ident';
import type { RefreshTask } from './tasks';

export function cacheQuery(task: RefreshTask): string {
  const cache = task.cache!;
  const order = cache.orderBy;
  const columns = cache.columns ?? null;
  // The order column is selected too, so the aggregate can order by it.
  const selected = columns === null ? ['*'] : [...new Set([...columns, order.column])].map(quoteIdent);
  const direction = order.descending ? 'DESC NULLS LAST' : 'ASC NULLS LAST';
  const tieBreak = task.uniqueKey.filter((k) => k !== order.column).map((k) => `${quoteIdent(k)}`);
  const orderBy = [`${quoteIdent(order.column)} ${direction}`, ...tieBreak].join(', ');
  const rowOrder = [`t.${quoteIdent(order.column)} ${direction}`, ...tieBreak.map((k) => `t.${k}`)].join(', ');
  const projection = columns === null ? 't' : `json_build_object(${columns.map((c) => `${quoteLiteral(c)}, t.${quoteIdent(c)}`).join(', ')})`;
  return [
    `SELECT coalesce(json_agg(${projection} ORDER BY ${rowOrder}), '[]'::json)::text AS payload, count(*)::int AS n`,
    `FROM (SELECT ${selected.join(', ')} FROM ${qualify(task.view.schema, task.view.name)} ORDER BY ${orderBy} LIMIT ${cache.limit}) AS t`,
  ].join('\n');
}

export interface CacheWriter {
  write(key: string, payload: string, ttlSeconds: number): Promise<void>;
  close(): Promise<void>;
}

/** A Redis connection that reconnects by itself; errors surface on the write that meets them. */
export function connectCache(url: string, prefix: string, onError: (message: string) => void): CacheWriter {
  // Without the offline queue a write while Redis is away fails at once (and is recorded as a
  // failed cache run) instead of holding up the refreshes behind it.
  const client = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: (retries) => Math.min(250 * 2 ** retries, 10_000) } });
  let lastError = '';
  client.on('error', (err: Error) => {
    // Reported once per distinct error, not once per reconnection attempt.
    if (err.message !== lastError) onError(err.message);
    lastError = err.message;
  });
  // Not awaited: a worker that starts while Redis is away still drains and refreshes; the
  // client keeps reconnecting and the writes in between are recorded as failed.
  const connected = client.connect().then(
    () => undefined,
    (err: Error) => onError(err.message),
  );
  return {
    write: async (key, payload, ttlSeconds) => {
      // The first write waits a little for the first connection.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([connected, new Promise((r) => (timer = setTimeout(r, 2_000)))]);
      clearTimeout(timer);
      await client.set(`${prefix}${key}`, payload, { expiration: { type: 'EX', value: ttlSeconds } });
    },
    close: async () => {
      if (client.isOpen) await client.close();
      else client.destroy();
    },
  };
}
