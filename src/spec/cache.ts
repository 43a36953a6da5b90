/**
 * `view.cache` (extension): the seed's "Caching Strategies" (hot products in
 * Redis). After each refresh, `specql worker` writes the view's top rows as a
 * JSON array to a Redis key, with a TTL:
 *
 *   view:
 *     cache:
 *       key: hot_products            # Redis key (the worker may add a prefix)
 *       order_by: total_sales DESC   # a view column, ASC or DESC
 *       limit: 100                   # 1 … 10000 rows
 *       ttl: 2 hours                 # default: twice the refresh interval
 *       columns: [product_id, total_sales, sales_velocity]   # default: every view column
 *
 * Every name is checked against the view's columns here, with its position;
 * the worker renders them only as quoted identifiers.
 */
import type { Diagnostic, SourcePosition } from '../diagnostics/diagnostic';
import { checkColumns, isMap, list, str, type Raw, type Report } from './build-support';
import type { ViewCacheSpec } from './model';
import { inRange, RANGES, TEXT_RANGES } from './limits';
import { nearest } from './suggest';
import { positionOf, type SpecDocument } from './yaml-source';

/** Redis keys specql writes: printable ASCII without spaces, at most 200 characters. */
const KEY = /^[A-Za-z0-9_:.\-{}/#@]{1,200}$/;
const ORDER = /^\s*([a-z_][a-z0-9_]*)(?:\s+(asc|desc))?\s*$/i;
const TTL = /^\s*(\d+)\s*(second|minute|hour|day)s?\s*$/i;
const TTL_UNIT: Readonly<Record<string, number>> = { second: 1, minute: 60, hour: 3600, day: 86_400 };
export const CACHE_MAX_LIMIT = RANGES.cache_limit.max;

const error = (code: string, at: SourcePosition, message: string, hint: string): Diagnostic => ({ code, severity: 'error', message, hint, at });

export function buildViewCache(
  doc: SpecDocument,
  raw: unknown,
  viewColumns: readonly string[],
  refreshSeconds: number,
  report: Report,
): ViewCacheSpec | null {
  if (!isMap(raw)) return null;
  const cache = raw as Raw;
  const at = positionOf(doc, ['view', 'cache'], 'key');
  const path = (key: string): SourcePosition => positionOf(doc, ['view', 'cache', key]);
  let ok = true;

  const key = str(cache.key);
  if (key === null || !KEY.test(key)) {
    report(error('view.cache_key', key === null ? at : path('key'), `\`view.cache.key\` ${key === null ? 'is missing' : `\`${key}\` is not a usable Redis key`}.`,
      'use 1–200 characters from letters, digits and _ : . - { } / # @, e.g. `key: hot_products`'));
    ok = false;
  }

  const orderText = typeof cache.order_by === 'string' ? cache.order_by : null;
  const order = orderText === null ? null : ORDER.exec(orderText);
  let orderBy: ViewCacheSpec['orderBy'] | null = null;
  if (order === null) {
    report(error('view.cache_order_by', orderText === null ? at : path('order_by'), `\`view.cache.order_by\` ${orderText === null ? 'is missing' : `\`${orderText}\` is not \`column\`, \`column ASC\` or \`column DESC\``}.`,
      'e.g. `order_by: total_sales DESC`'));
    ok = false;
  } else if (!viewColumns.includes(order[1]!)) {
    const near = nearest(order[1]!, viewColumns);
    report(error('column.unknown', path('order_by'), `\`view.cache.order_by\` names \`${order[1]}\`, which is not a column of the view.`,
      near ? `did you mean \`${near}\`?` : `use one of: ${viewColumns.join(', ')}`));
    ok = false;
  } else {
    orderBy = { column: order[1]!, descending: (order[2] ?? 'asc').toLowerCase() === 'desc' };
  }

  const limit = cache.limit === undefined ? 100 : cache.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > CACHE_MAX_LIMIT) {
    report(error('view.cache_limit', path('limit'), `\`view.cache.limit\` must be a whole number from 1 to ${CACHE_MAX_LIMIT}, got \`${String(limit)}\`.`, 'e.g. `limit: 100`'));
    ok = false;
  }

  let ttlSeconds = Math.max(2 * refreshSeconds, 60);
  if (cache.ttl !== undefined) {
    const ttl = typeof cache.ttl === 'string' ? TTL.exec(cache.ttl) : null;
    const seconds = ttl ? Number(ttl[1]) * TTL_UNIT[ttl[2]!.toLowerCase()]! : 0;
    if (!ttl || seconds < 1) {
      report(error('view.cache_ttl', path('ttl'), `\`view.cache.ttl\` \`${String(cache.ttl)}\` is not a duration.`, 'use `N seconds`, `N minutes`, `N hours` or `N days`, e.g. `ttl: 2 hours`'));
      ok = false;
    } else if (!inRange(seconds, TEXT_RANGES.ttl_seconds)) {
      report(error('view.cache_ttl', path('ttl'), `\`view.cache.ttl\` \`${String(cache.ttl)}\` is out of range: 1 second to 30 days.`, 'e.g. `ttl: 2 hours`'));
      ok = false;
    } else {
      ttlSeconds = seconds;
    }
  }

  let columns: string[] | null = null;
  if (cache.columns !== undefined) {
    columns = list(cache.columns).filter((c): c is string => typeof c === 'string');
    if (!checkColumns(doc, ['view', 'cache', 'columns'], columns, viewColumns, 'the view', '`view.cache.columns`', report)) ok = false;
    if (columns.length === 0) {
      report(error('view.cache_columns', path('columns'), '`view.cache.columns` is empty.', 'list view columns, or leave it out to cache every column'));
      ok = false;
    }
  }

  if (!ok || orderBy === null || key === null) return null;
  return { key, orderBy, limit: limit as number, ttlSeconds, columns, at };
}
