/**
 * Bulk ingest: the generated jsonb bulk function vs client COPY, on the same fresh database
 * (full DDL of specs/: every index and the workflow's enqueue trigger in place) and the same
 * rows. Both timings are end to end from the client: encoding (JSON or COPY text), transfer,
 * parsing, routing to partitions, index maintenance and the enqueue. Goal: function ≥ 0.6× COPY.
 */
import type { Pool } from 'pg';
import { createScratchDatabase } from '../../db/scratch';
import { applyFreshScript } from '../../engine/fresh';
import { bulkLoad } from '../../load/bulk-load';
import { copyRows } from '../../load/copy';
import type { SpecSet } from '../../spec/model';
import { actionObjects } from '../../desired/actions';
import { createFunctionSql } from '../../render/functions';
import { generateSales, type SaleRow } from '../../load/sample-sales';
import type { BenchResult, BenchSuite } from '../suite';

export const BENCH_ROWS = 100_000;
export const BENCH_MONTHS = ['2024-01', '2024-02', '2024-03'];
export const SALES_TABLE = { schema: 'analytics', name: 'sales_transaction' };
export const SALES_COLUMNS = [
  'transaction_id', 'customer_id', 'product_id', 'quantity', 'unit_price',
  'total_amount', 'transaction_date', 'payment_method', 'region', 'category',
];
const ROUNDS = 3;
const CHUNKS = [10_000, 5_000];

export const rate = (rows: number, ms: number): number => Math.round((rows / ms) * 1000);
export const fmt = (n: number): string => n.toLocaleString('en-US');

export async function resetSales(pool: Pool): Promise<void> {
  await pool.query(
    'TRUNCATE analytics.sales_transaction, analytics.update_performance_metrics_queue, ' +
      'analytics.product_metrics, analytics.customer_metrics, analytics.category_metrics',
  );
  await pool.query('CHECKPOINT').catch(() => undefined); // superuser only; evens out the rounds when allowed
}

export async function timeCopy(pool: Pool, rows: readonly SaleRow[]): Promise<number> {
  const client = await pool.connect();
  try {
    const start = performance.now();
    const loaded = await copyRows(client, SALES_TABLE, SALES_COLUMNS, rows);
    const ms = performance.now() - start;
    if (loaded !== rows.length) throw new Error(`COPY loaded ${loaded} of ${rows.length} rows`);
    return ms;
  } finally {
    client.release();
  }
}

async function timeBulkFunction(pool: Pool, rows: readonly SaleRow[], chunk: number): Promise<number> {
  const client = await pool.connect();
  try {
    const start = performance.now();
    for (let i = 0; i < rows.length; i += chunk) {
      const { rows: r } = await client.query<{ n: number }>('SELECT analytics.bulk_insert_transactions($1::jsonb) AS n', [
        JSON.stringify(rows.slice(i, i + chunk)),
      ]);
      if (r[0]!.n !== Math.min(chunk, rows.length - i)) throw new Error('bulk function inserted the wrong number of rows');
    }
    return performance.now() - start;
  } finally {
    client.release();
  }
}

export const suite: BenchSuite = {
  name: 'bulk: jsonb bulk function vs client COPY',
  async run(ctx) {
    const db = await createScratchDatabase(ctx.serverUrl, 'bench_bulk');
    try {
      const specs = await applyFreshScript(db.pool, '2024-03-15');
      const rows = generateSales(BENCH_ROWS, { months: BENCH_MONTHS, customers: 20_000, products: 2_000, seed: 2024 });
      let copyMs = Infinity;
      const fnMs = new Map<number, number>(CHUNKS.map((c) => [c, Infinity]));
      for (let round = 1; round <= ROUNDS; round++) {
        await resetSales(db.pool);
        const c = await timeCopy(db.pool, rows);
        copyMs = Math.min(copyMs, c);
        ctx.log(`round ${round}: COPY ${fmt(rate(rows.length, c))} rows/s`);
        for (const chunk of CHUNKS) {
          await resetSales(db.pool);
          const f = await timeBulkFunction(db.pool, rows, chunk);
          fnMs.set(chunk, Math.min(fnMs.get(chunk)!, f));
          ctx.log(`round ${round}: bulk function, ${fmt(chunk)}-row chunks: ${fmt(rate(rows.length, f))} rows/s`);
        }
      }
      const attach = await measureDisableIndexes(db.pool, specs, ctx.log);
      const triggerEnqueueMs = await measureWithoutDisableTriggers(db.pool, specs, rows, ctx.log);
      const copyRate = rate(rows.length, copyMs);
      const [bestChunk, bestMs] = [...fnMs.entries()].sort((a, b) => a[1] - b[1])[0]!;
      const ratio = copyMs / bestMs;
      const results: BenchResult[] = [
        { name: `client COPY, ${fmt(rows.length)} rows`, value: `${fmt(copyRate)} rows/s`, note: `best of ${ROUNDS} rounds; indexes and enqueue trigger in place` },
        ...CHUNKS.map((chunk) => ({
          name: `bulk function, ${fmt(chunk)}-row jsonb chunks`,
          value: `${fmt(rate(rows.length, fnMs.get(chunk)!))} rows/s`,
        })),
        {
          name: 'bulk function / COPY',
          value: `${ratio.toFixed(2)}× COPY`,
          goal: '≥ 0.60× COPY',
          met: ratio >= 0.6,
          note: `best chunk size ${fmt(bestChunk)}; includes JSON.stringify on the client and jsonb parsing on the server`,
        },
        {
          name: 'bulk function without disable_triggers (the trigger enqueues), 10,000-row chunks',
          value: `${fmt(rate(rows.length, triggerEnqueueMs))} rows/s`,
          note: `with disable_triggers (the function enqueues itself): ${fmt(rate(rows.length, fnMs.get(10_000)!))} rows/s — the hint saves little, as documented`,
        },
        {
          name: `one new month, ${fmt(attach.rows)} rows: COPY into an existing empty partition`,
          value: `${fmt(rate(attach.rows, attach.copyMs))} rows/s`,
        },
        {
          name: 'same, bulkLoad({ disableIndexes }): COPY into a new table, build indexes, ATTACH PARTITION',
          value: `${fmt(rate(attach.rows, attach.attachMs))} rows/s`,
          note: `${(attach.copyMs / attach.attachMs).toFixed(2)}× the per-row index maintenance path; includes enqueueing the rows`,
        },
      ];
      return results;
    } finally {
      await db.drop();
    }
  },
};

/** disable_indexes: one month of rows into an existing empty partition (indexes maintained row by row)
 *  vs bulkLoad's new-partition path (COPY into a bare table, indexes built once, ATTACH). */
async function measureDisableIndexes(pool: Pool, specs: SpecSet, log: (m: string) => void): Promise<{ rows: number; copyMs: number; attachMs: number }> {
  const sales = specs.entities.find((e) => e.entity === 'SalesTransaction');
  if (!sales) throw new Error('specs/ has no SalesTransaction');
  const existingMonth = generateSales(BENCH_ROWS, { months: ['2024-05'], customers: 20_000, products: 2_000, seed: 99 });
  const newMonth = generateSales(BENCH_ROWS, { months: ['2024-08'], customers: 20_000, products: 2_000, seed: 99 });
  let copyMs = Infinity;
  let attachMs = Infinity;
  for (let round = 1; round <= ROUNDS; round++) {
    await resetSales(pool);
    copyMs = Math.min(copyMs, await timeCopy(pool, existingMonth));
    await resetSales(pool);
    const client = await pool.connect();
    try {
      const start = performance.now();
      const result = await bulkLoad(client, sales, specs, newMonth, { disableIndexes: true });
      attachMs = Math.min(attachMs, performance.now() - start);
      if (result.method !== 'attach_partition') throw new Error(`bulkLoad fell back: ${result.fallbackReason}`);
      await client.query(`DROP TABLE ${result.partition}`);
    } finally {
      client.release();
    }
    log(`round ${round}: one month via COPY ${fmt(rate(BENCH_ROWS, copyMs))} rows/s, via bulkLoad attach ${fmt(rate(BENCH_ROWS, attachMs))} rows/s`);
  }
  return { rows: BENCH_ROWS, copyMs, attachMs };
}

/** The same bulk function generated without disable_triggers (the enqueue trigger does the work). */
async function measureWithoutDisableTriggers(pool: Pool, specs: SpecSet, rows: readonly SaleRow[], log: (m: string) => void): Promise<number> {
  const variant: SpecSet = {
    entities: specs.entities.map((e) => ({
      ...e,
      actions: e.actions.map((a) => (a.kind === 'bulk_operation' ? { ...a, hints: { ...a.hints, disableTriggers: false } } : a)),
    })),
  };
  const sales = (set: SpecSet) => set.entities.find((e) => e.entity === 'SalesTransaction')!;
  const functionsOf = (set: SpecSet): string[] =>
    actionObjects(sales(set), set).objects.flatMap((o) => (o.kind === 'function' ? [createFunctionSql(o)] : []));
  for (const sql of functionsOf(variant)) await pool.query(sql);
  let best = Infinity;
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      await resetSales(pool);
      const ms = await timeBulkFunction(pool, rows, 10_000);
      best = Math.min(best, ms);
      log(`round ${round}: bulk function without disable_triggers: ${fmt(rate(rows.length, ms))} rows/s`);
    }
  } finally {
    for (const sql of functionsOf(specs)) await pool.query(sql); // back to what specs/ says
  }
  return best;
}
