/**
 * Planner and online apply:
 *  - plan time for specs/ and for 100 generated entities against a live database (goal ≤ 1 s for 100);
 *  - a no-op apply of specs/ (goal ≤ 0.5 s);
 *  - writer stall: the longest statement latency of four steady writers (single
 *    rows, 5–20-row INSERTs, COPY of 5–20 rows, the bulk function) while an
 *    index is added to specs/' 1M-row partitioned SalesTransaction, under our
 *    plan (ON ONLY + CONCURRENTLY per partition + one ATTACH per transaction)
 *    vs the naive `CREATE INDEX` on the parent, as a ratio (goal: ours ≤ 1/10 of naive).
 */
import { connect, withClient } from '../../db/connection';
import { createScratchDatabase } from '../../db/scratch';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { applySpecs, planSpecs } from '../../engine';
import { copyRows } from '../../load/copy';
import { generateSales, rng } from '../../load/sample-sales';
import { loadSpecs, loadSpecSources } from '../../spec/load';
import type { BenchResult, BenchSuite } from '../suite';

const TODAY = '2024-03-15';
const STALL_ROWS = 1_000_000;

async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** 100 entities of a typical shape: a few fields, two indexes, every tenth one partitioned monthly. */
function generatedSpecs(n: number) {
  const sources = Array.from({ length: n }, (_, i) => ({
    file: `bench/entity_${i}.yaml`,
    text: [
      `entity: BenchEntity${i}`,
      'schema: bench',
      'fields:',
      '  id: uuid',
      '  created_at: timestamptz',
      '  amount: decimal(10,2)',
      '  label: text',
      'indexes:',
      `  - name: idx_bench_${i}_created`,
      '    columns: [created_at]',
      `  - name: idx_bench_${i}_label`,
      '    columns: [label, amount]',
      ...(i % 10 === 0
        ? ['partitioning:', '  strategy: RANGE', '  column: created_at', '  intervals: [monthly]', '  start: 2024-01-01', '  premake: 3']
        : []),
      '',
    ].join('\n'),
  }));
  const { specs, diagnostics } = loadSpecSources(sources);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`generated specs invalid: ${errors[0]!.message}`);
  return specs;
}

type WriterKind = 'single row' | 'batch of 5–20' | 'COPY of 5–20' | 'bulk function, 5–20';
const WRITER_KINDS: readonly WriterKind[] = ['single row', 'batch of 5–20', 'COPY of 5–20', 'bulk function, 5–20'];
const SALES_COLUMNS = ['transaction_id', 'customer_id', 'product_id', 'quantity', 'unit_price', 'total_amount', 'transaction_date', 'payment_method', 'region', 'category'] as const;
const STALL_MONTHS = Array.from({ length: 12 }, (_, m) => `2024-${String(m + 1).padStart(2, '0')}`);
const SALES = { schema: 'analytics', name: 'sales_transaction' };

/**
 * Runs `fn` while four writers insert into analytics.sales_transaction, one
 * connection per kind — single rows, multi-row INSERTs of 5–20 rows, COPY of
 * 5–20 rows and the bulk function with 5–20 rows (rows in random order, over
 * every partition) — and returns the longest statement latency of each kind.
 */
async function longestStall(url: string, offset: number, fn: () => Promise<void>): Promise<{ stallMs: Record<WriterKind, number>; statements: number }> {
  let stop = false;
  let statements = 0;
  let next = offset;
  const stallMs = Object.fromEntries(WRITER_KINDS.map((k) => [k, 0])) as Record<WriterKind, number>;
  const clients = await Promise.all(WRITER_KINDS.map(async () => {
    return connect(url, 'bench writer');
  }));
  const loops = WRITER_KINDS.map(async (kind, w) => {
    const client = clients[w]!;
    const rand = rng(17 + w);
    while (!stop) {
      const n = kind === 'single row' ? 1 : 5 + Math.floor(rand() * 16);
      const rows = generateSales(n, { seed: next, offset: next, months: STALL_MONTHS }).sort(() => rand() - 0.5);
      next += n;
      const t0 = performance.now();
      if (kind === 'COPY of 5–20') {
        await copyRows(client, SALES, SALES_COLUMNS, rows);
      } else if (kind === 'bulk function, 5–20') {
        await client.query('SELECT analytics.bulk_insert_transactions($1::jsonb)', [JSON.stringify(rows)]);
      } else {
        const params: unknown[] = [];
        const tuples = rows.map((r) => `(${SALES_COLUMNS.map((c) => (params.push(r[c]), `$${params.length}`)).join(', ')})`);
        await client.query(`INSERT INTO analytics.sales_transaction (${SALES_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, params);
      }
      stallMs[kind] = Math.max(stallMs[kind], performance.now() - t0);
      statements++;
    }
  });
  try {
    await new Promise((r) => setTimeout(r, 300));
    await fn();
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    stop = true;
    await Promise.all(loops);
    await Promise.all(clients.map((c) => c.end()));
  }
  return { stallMs, statements };
}

const worstOf = (stall: Record<WriterKind, number>): number => Math.max(...Object.values(stall));
const perKind = (stall: Record<WriterKind, number>): string => WRITER_KINDS.map((k) => `${k} ${stall[k].toFixed(0)} ms`).join(', ');

/** specs/ with one more index on SalesTransaction (what the online plan builds). */
function withPaymentIndex(): { file: string; text: string }[] {
  return readdirSync('specs')
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => {
      const text = readFileSync(path.join('specs', f), 'utf8');
      return { file: `specs/${f}`, text: f === 'sales_analytics.yaml' ? text.replace('\npartitioning:', '\n  - name: idx_sales_payment_region\n    columns: [payment_method, region]\n\npartitioning:') : text };
    });
}

export const suite: BenchSuite = {
  name: 'plan: planner speed, no-op apply, writer stall during an online index build',
  async run(ctx) {
    const results: BenchResult[] = [];
    const { specs } = await loadSpecs(['specs']);

    const a = await createScratchDatabase(ctx.serverUrl, 'bench_plan_specs');
    try {
      await applySpecs(specs, { databaseUrl: a.url, today: TODAY });
      const planMs = await median(5, () => planSpecs(specs, { databaseUrl: a.url, today: TODAY }));
      const noopMs = await median(5, () => applySpecs(specs, { databaseUrl: a.url, today: TODAY }));
      ctx.log(`specs/: plan ${planMs.toFixed(0)} ms, no-op apply ${noopMs.toFixed(0)} ms`);
      results.push({ name: 'plan specs/ (live, no changes)', value: `${planMs.toFixed(0)} ms` });
      results.push({ name: 'no-op apply specs/', value: `${noopMs.toFixed(0)} ms`, goal: '≤ 500 ms', met: noopMs <= 500 });
    } finally {
      await a.drop();
    }

    const b = await createScratchDatabase(ctx.serverUrl, 'bench_plan_100');
    try {
      const many = generatedSpecs(100);
      const t0 = performance.now();
      const applied = await applySpecs(many, { databaseUrl: b.url, today: TODAY });
      ctx.log(`100 entities: first apply ${applied.plan.steps.length} steps in ${(performance.now() - t0).toFixed(0)} ms`);
      const planMs = await median(3, () => planSpecs(many, { databaseUrl: b.url, today: TODAY }));
      results.push({ name: 'plan 100 entities (live, no changes)', value: `${planMs.toFixed(0)} ms`, goal: '≤ 1000 ms', met: planMs <= 1000 });
    } finally {
      await b.drop();
    }

    const c = await createScratchDatabase(ctx.serverUrl, 'bench_plan_stall');
    try {
      // specs/ with 12 monthly partitions of 2024 (+ premake) and STALL_ROWS rows loaded with the triggers off.
      const stallOptions = { databaseUrl: c.url, today: '2024-12-15' };
      await applySpecs(specs, stallOptions);
      await withClient(c.url, async (cl) => {
        await cl.query(`SET session_replication_role = replica`);
        await cl.query(`INSERT INTO analytics.sales_transaction (transaction_id, customer_id, product_id, quantity, unit_price, total_amount, transaction_date, payment_method, region, category)
          SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 1 + g % 5, 10, 10 * (1 + g % 5), timestamptz '2024-01-01 00:00:00+00' + (g % 360) * interval '1 day',
                 CASE WHEN g % 2 = 0 THEN 'card' ELSE 'paypal' END, CASE WHEN g % 3 = 0 THEN 'us-west' ELSE 'eu-central' END, 'books'
          FROM generate_series(1, ${STALL_ROWS}) g`);
        await cl.query('VACUUM ANALYZE analytics.sales_transaction');
      });
      const { specs: indexed, diagnostics } = loadSpecSources(withPaymentIndex());
      if (diagnostics.some((d) => d.severity === 'error')) throw new Error('the stall spec variant does not load');
      let attaches = 0;
      const ours = await longestStall(c.url, 10_000_000, async () => {
        const applied = await applySpecs(indexed, stallOptions);
        attaches = applied.plan.steps.filter((st) => st.action === 'attach').length;
      });
      await withClient(c.url, (cl) => cl.query('DROP INDEX analytics.idx_sales_payment_region'));
      let naiveBuildMs = 0;
      const naive = await longestStall(c.url, 20_000_000, async () => {
        const t0 = performance.now();
        await withClient(c.url, (cl) => cl.query('CREATE INDEX idx_sales_payment_region ON analytics.sales_transaction (payment_method, region)'));
        naiveBuildMs = performance.now() - t0;
      });
      const ratio = worstOf(ours.stallMs) / worstOf(naive.stallMs);
      ctx.log(`writer stall: ours ${perKind(ours.stallMs)} (${ours.statements} statements); naive ${perKind(naive.stallMs)} (build ${naiveBuildMs.toFixed(0)} ms)`);
      results.push({
        name: `longest writer stall, index on ${STALL_ROWS.toLocaleString('en-US')}-row partitioned table, 4 writers: single rows, 5–20-row batches, COPY, bulk function (ours / naive)`,
        value: `${ratio.toFixed(3)} (${worstOf(ours.stallMs).toFixed(0)} ms vs ${worstOf(naive.stallMs).toFixed(0)} ms)`,
        goal: '≤ 0.1',
        met: ratio <= 0.1,
        note: `per writer, ours: ${perKind(ours.stallMs)}; naive: ${perKind(naive.stallMs)}. Naive CREATE INDEX on the parent held writers for ${naiveBuildMs.toFixed(0)} ms; ours: ON ONLY + concurrent builds + ${attaches} attaches, one per transaction`,
      });
    } finally {
      await c.drop();
    }
    return results;
  },
};
