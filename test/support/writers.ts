/**
 * Concurrent writers for tests that apply plans under load: one connection per
 * kind — single-row INSERTs, multi-row INSERT batches (5–20 rows), COPY batches
 * and the bulk function — inserting sales (src/load/sample-sales.ts) until
 * stopped. Errors are collected per kind, never thrown; the rows of every
 * successful statement are counted, so a test can check that none was lost.
 */
import type { Client } from 'pg';
import { connect } from '../../src/db/connection';
import { copyRows } from '../../src/load/copy';
import { generateSales, rng, type SaleRow } from '../../src/load/sample-sales';
import { qualify, quoteIdent } from '../../src/model/ident';

export type WriterKind = 'single' | 'batch' | 'copy' | 'bulk';
export const ALL_WRITER_KINDS: readonly WriterKind[] = ['single', 'batch', 'copy', 'bulk'];

export interface WriterOptions {
  readonly table: { readonly schema: string; readonly name: string };
  /** Columns to write (those the table has now); values come from SaleRow, others are NULL. */
  readonly columns: readonly string[];
  /** The bulk function (`<schema>.<name>(jsonb)`), when the entity has one. */
  readonly bulkFunction?: { readonly schema: string; readonly name: string } | null;
  readonly kinds?: readonly WriterKind[];
  /** Connections per kind (default 1). */
  readonly perKind?: number;
  /** Months the rows fall in (default 2024-01..03). */
  readonly months?: string[];
  /** First transaction number (keeps ids unique across runs). */
  readonly offset?: number;
  /** Pause between statements per connection, ms (default 2). */
  readonly pauseMs?: number;
  readonly seed?: number;
}

export interface KindStats {
  statements: number;
  rows: number;
  failures: string[];
  /** Longest single statement, ms (a stall while a step holds a lock). */
  maxMs: number;
}

export interface WriterStats {
  readonly byKind: Record<WriterKind, KindStats>;
  readonly rows: number;
  readonly failures: string[];
  readonly maxMs: number;
  /** The next free offset. */
  readonly nextOffset: number;
}

export interface Writers {
  stop(): Promise<WriterStats>;
  /** Rows committed so far. */
  rows(): number;
}

const pick = (row: SaleRow, columns: readonly string[]): Record<string, unknown> =>
  Object.fromEntries(columns.map((c) => [c, (row as unknown as Record<string, unknown>)[c] ?? null]));

export async function startWriters(url: string, options: WriterOptions): Promise<Writers> {
  const kinds = (options.kinds ?? ALL_WRITER_KINDS).filter((k) => k !== 'bulk' || options.bulkFunction);
  const perKind = options.perKind ?? 1;
  const byKind = Object.fromEntries(ALL_WRITER_KINDS.map((k) => [k, { statements: 0, rows: 0, failures: [], maxMs: 0 }])) as unknown as Record<WriterKind, KindStats>;
  let offset = options.offset ?? 1_000_000;
  let stopped = false;
  const target = qualify(options.table.schema, options.table.name);
  const cols = options.columns.map(quoteIdent).join(', ');
  const nextRows = (n: number, seed: number): Record<string, unknown>[] => {
    const rows = generateSales(n, { seed, offset, ...(options.months ? { months: options.months } : {}) });
    offset += n;
    return rows.map((r) => pick(r, options.columns));
  };
  const workers: { client: Client; kind: WriterKind; index: number }[] = [];
  for (const kind of kinds) {
    for (let i = 0; i < perKind; i++) {
      const client = await connect(url, `test writer ${kind}`);
      workers.push({ client, kind, index: workers.length });
    }
  }
  const runs = workers.map(async ({ client, kind, index }) => {
    const rand = rng((options.seed ?? 7) * 101 + index);
    let k = 0;
    while (!stopped) {
      k++;
      const size = kind === 'single' ? 1 : 5 + Math.floor(rand() * 16);
      const rows = nextRows(size, (options.seed ?? 7) * 1000 + index * 100_000 + k);
      // generateSales walks the months in order; real batches arrive in any order (which is
      // what makes a batch lock partitions in an order of its own).
      for (let i = rows.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [rows[i], rows[j]] = [rows[j]!, rows[i]!];
      }
      const t0 = Date.now();
      try {
        let n: number;
        if (kind === 'single' || kind === 'batch') {
          const params: unknown[] = [];
          const tuples = rows.map((r) => `(${options.columns.map((c) => (params.push(r[c]), `$${params.length}`)).join(', ')})`);
          const result = await client.query(`INSERT INTO ${target} (${cols}) VALUES ${tuples.join(', ')}`, params);
          n = result.rowCount ?? 0;
        } else if (kind === 'copy') {
          n = await copyRows(client, options.table, options.columns, rows);
        } else {
          const fn = options.bulkFunction!;
          const result = await client.query(`SELECT ${qualify(fn.schema, fn.name)}($1::jsonb) AS n`, [JSON.stringify(rows)]);
          n = Number(result.rows[0].n);
        }
        const stats = byKind[kind];
        stats.statements++;
        stats.rows += n;
        stats.maxMs = Math.max(stats.maxMs, Date.now() - t0);
      } catch (err) {
        const e = err as { code?: string; message?: string };
        byKind[kind].failures.push(`${kind}: ${e.code ?? ''} ${e.message ?? String(err)}`);
      }
      if (options.pauseMs !== 0) await new Promise((r) => setTimeout(r, options.pauseMs ?? 2));
    }
  });
  const total = (): number => Object.values(byKind).reduce((a, s) => a + s.rows, 0);
  return {
    rows: total,
    stop: async () => {
      stopped = true;
      await Promise.all(runs);
      await Promise.all(workers.map((w) => w.client.end().catch(() => undefined)));
      const all = Object.values(byKind);
      return {
        byKind,
        rows: total(),
        failures: all.flatMap((s) => s.failures),
        maxMs: Math.max(0, ...all.map((s) => s.maxMs)),
        nextOffset: offset,
      };
    },
  };
}

/** Runs `work` while writers insert: they have committed rows before it starts and go on after it ends. */
export async function whileWriting<T>(url: string, options: WriterOptions, work: () => Promise<T>, minRows = 20): Promise<{ result: T; stats: WriterStats }> {
  const writers = await startWriters(url, options);
  let result: T;
  try {
    await until(() => writers.rows() >= minRows);
    result = await work();
    const at = writers.rows();
    await until(() => writers.rows() >= at + minRows);
  } catch (err) {
    await writers.stop();
    throw err;
  }
  return { result, stats: await writers.stop() };
}

async function until(probe: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('writers made no progress');
    await new Promise((r) => setTimeout(r, 20));
  }
}
