/**
 * `specql load-test`: synthetic rows (./synthetic.ts) loaded by C clients in
 * batches, through client COPY (src/load/copy.ts) or the entity's bulk
 * function. Measures rows/s and batch latency; counts rows per partition
 * before and after; and, when the entity feeds an asynchronous workflow
 * queue, the metrics lag: for each batch, the time from its commit until a
 * worker (anything that drains the queue: `specql worker`, pg_cron, a loop
 * calling `<action>_process`) has taken all of its queue rows.
 */
import { performance } from 'node:perf_hooks';
import { Pool, type Client } from 'pg';
import { connect } from '../db/connection';
import { effectivePartitioning } from '../desired/build';
import { bulkFunctionName, processFunctionName, queueTableName } from '../desired/actions/names';
import { copyRows } from '../load/copy';
import { fitIdentifier, qualify } from '../model/ident';
import type { BulkOperationAction, EntitySpec, WorkflowAction } from '../spec/model';
import { percentile } from './stats';
import { rowGenerator, type TimeWindow } from './synthetic';

export type LoadVia = 'copy' | 'function';

export interface LoadTestOptions {
  readonly databaseUrl: string;
  readonly entity: EntitySpec;
  readonly rows: number;
  readonly clients: number;
  /** Rows per batch (one COPY or one function call each). */
  readonly batchSize: number;
  readonly via: LoadVia;
  readonly seed: number;
  /** `YYYY-MM-DD`: the partition window the timestamps spread over is computed from it. */
  readonly today: string;
  /** Distinct values of each foreign-key-like uuid column (default 100). */
  readonly refs?: number;
  /** After the load, how long to wait for a worker to drain the queue (default 60 s). */
  readonly lagTimeoutMs?: number;
  readonly onProgress?: (rowsDone: number) => void;
}

export interface MetricsLag {
  readonly queue: string;
  /** Batches whose queue rows a worker took before the wait ended. */
  readonly drainedBatches: number;
  readonly batches: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  /** From the last batch's commit until the queue held none of the loaded rows; null if it never did. */
  readonly drainedAfterMs: number | null;
  readonly sampleEveryMs: number;
  readonly note: string;
}

export interface LoadTestReport {
  readonly entity: string;
  readonly table: string;
  readonly via: LoadVia;
  readonly seed: number;
  readonly rows: number;
  readonly clients: number;
  readonly batchSize: number;
  readonly batches: number;
  readonly window: { readonly from: string; readonly to: string };
  readonly durationMs: number;
  readonly rowsPerSecond: number;
  readonly batchLatency: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  /** Rows the load added to each partition (after − before), partitions in name order. */
  readonly partitions: readonly { readonly name: string; readonly rows: number }[];
  readonly metricsLag: MetricsLag | null;
}

const DAY_MS = 86_400_000;

/** The time window the rows spread over: the partition window for `today`, or the 30 days before it. */
export function loadWindow(entity: EntitySpec, today: string): TimeWindow {
  const effective = effectivePartitioning(entity, { today });
  if (effective === null) {
    const end = Date.parse(`${today}T00:00:00Z`) + DAY_MS;
    return { fromMs: end - 30 * DAY_MS, toMs: end };
  }
  return { fromMs: Date.parse(`${effective.window.from}T00:00:00Z`), toMs: Date.parse(`${effective.window.to}T00:00:00Z`) };
}

async function rowsPerPartition(client: Client, table: string): Promise<Map<string, number>> {
  const { rows } = await client.query<{ name: string; n: string }>(`SELECT c.relname AS name, count(*)::text AS n FROM ${table} t JOIN pg_class c ON c.oid = t.tableoid GROUP BY 1`);
  return new Map(rows.map((r) => [r.name, Number(r.n)]));
}

interface BatchMark {
  readonly committedAt: number;
  /** Highest queue id after the commit: every queue row of the batch is at or below it. */
  readonly maxQueueId: number;
  drainedAt: number | null;
}

/** Samples the queue's lowest id; a batch is drained once no queue row at or below its mark is left. */
class LagMonitor {
  readonly marks: BatchMark[] = [];
  private timer: NodeJS.Timeout | null = null;
  lastProgressAt = performance.now();
  private lastMin: number | null = null;
  private busy = false;

  constructor(
    private readonly client: Client,
    private readonly queue: string,
    readonly everyMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), this.everyMs);
  }

  async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const before = performance.now();
      const { rows } = await this.client.query<{ min: string | null }>(`SELECT min(id)::text AS min FROM ${this.queue}`);
      const min = rows[0]?.min === null || rows[0]?.min === undefined ? null : Number(rows[0].min);
      if (min !== this.lastMin) this.lastProgressAt = before;
      this.lastMin = min;
      for (const mark of this.marks) {
        if (mark.drainedAt !== null || mark.committedAt > before) continue;
        if (min === null || min > mark.maxQueueId) mark.drainedAt = before;
      }
    } finally {
      this.busy = false;
    }
  }

  pending(): number {
    return this.marks.filter((m) => m.drainedAt === null).length;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestReport> {
  const { entity } = options;
  const table = qualify(entity.schema, fitIdentifier(entity.table));
  const window = loadWindow(entity, options.today);
  const generator = rowGenerator(entity, options.seed, window, options.refs !== undefined ? { refs: options.refs } : {});
  const bulk = entity.actions.find((a): a is BulkOperationAction => a.kind === 'bulk_operation');
  if (options.via === 'function' && !bulk) throw new Error(`${entity.entity} has no batch/bulk_operation action: use --via copy`);
  const workflow = entity.actions.find((a): a is WorkflowAction => a.kind === 'workflow' && a.hints.asyncExecution);
  const queue = workflow ? qualify(entity.schema, queueTableName(workflow.name)) : null;

  const admin = await connect(options.databaseUrl, 'specql load-test');
  const monitorClient = queue ? await connect(options.databaseUrl, 'specql load-test: lag') : null;
  const pool = new Pool({ connectionString: options.databaseUrl, max: options.clients, application_name: 'specql load-test' });
  pool.on('error', () => undefined);
  try {
    const before = await rowsPerPartition(admin, table);
    const monitor = queue && monitorClient ? new LagMonitor(monitorClient, queue, 50) : null;
    monitor?.start();
    const batches = Math.ceil(options.rows / options.batchSize);
    const latencies: number[] = [];
    let next = 0;
    let done = 0;
    const fn = bulk ? qualify(entity.schema, bulkFunctionName(bulk.name)) : null;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(options.clients, batches) }, async () => {
        const client = await pool.connect();
        try {
          for (let b = next++; b < batches; b = next++) {
            const first = b * options.batchSize;
            const count = Math.min(options.batchSize, options.rows - first);
            const rows = Array.from({ length: count }, (_, i) => generator.row(first + i));
            const t0 = performance.now();
            if (options.via === 'copy') await copyRows(client, { schema: entity.schema, name: fitIdentifier(entity.table) }, generator.columns, rows);
            else await client.query(`SELECT ${fn}($1::jsonb)`, [JSON.stringify(rows)]);
            const committedAt = performance.now();
            latencies.push(committedAt - t0);
            if (monitor && queue) {
              const { rows: top } = await client.query<{ max: string | null }>(`SELECT max(id)::text AS max FROM ${queue}`);
              monitor.marks.push({ committedAt, maxQueueId: Number(top[0]?.max ?? 0), drainedAt: null });
            }
            done += count;
            options.onProgress?.(done);
          }
        } finally {
          client.release();
        }
      }),
    );
    const durationMs = performance.now() - started;
    let metricsLag: MetricsLag | null = null;
    if (monitor && queue && workflow) {
      // Wait for a worker: until every batch is drained, the queue stops moving for 5 s, or the timeout.
      const deadline = performance.now() + (options.lagTimeoutMs ?? 60_000);
      const lastCommit = Math.max(...monitor.marks.map((m) => m.committedAt));
      while (monitor.pending() > 0 && performance.now() < deadline && performance.now() - Math.max(monitor.lastProgressAt, lastCommit) < 5_000) {
        await new Promise((r) => setTimeout(r, monitor.everyMs));
      }
      monitor.stop();
      await monitor.sample();
      const lags = monitor.marks.filter((m) => m.drainedAt !== null).map((m) => m.drainedAt! - m.committedAt);
      const allDrained = monitor.pending() === 0;
      metricsLag = {
        queue: `${entity.schema}.${queueTableName(workflow.name)}`,
        drainedBatches: lags.length,
        batches: monitor.marks.length,
        p50Ms: lags.length ? percentile(lags, 50) : null,
        p99Ms: lags.length ? percentile(lags, 99) : null,
        maxMs: lags.length ? Math.max(...lags) : null,
        drainedAfterMs: allDrained ? Math.max(0, Math.max(...monitor.marks.map((m) => m.drainedAt!)) - lastCommit) : null,
        sampleEveryMs: monitor.everyMs,
        note:
          lags.length === 0
            ? `no worker drained the queue (its rows wait there): run \`specql worker\`, or call ${entity.schema}.${processFunctionName(workflow.name)}() until it returns 0`
            : allDrained
              ? 'every batch drained'
              : `${monitor.pending()} batches still queued when the wait ended`,
      };
    }
    const after = await rowsPerPartition(admin, table);
    const partitions = [...after.entries()]
      .map(([name, n]) => ({ name, rows: n - (before.get(name) ?? 0) }))
      .filter((p) => p.rows !== 0)
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      entity: entity.entity,
      table: `${entity.schema}.${fitIdentifier(entity.table)}`,
      via: options.via,
      seed: options.seed,
      rows: done,
      clients: options.clients,
      batchSize: options.batchSize,
      batches,
      window: { from: new Date(window.fromMs).toISOString(), to: new Date(window.toMs).toISOString() },
      durationMs,
      rowsPerSecond: done / (durationMs / 1000),
      batchLatency: { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: Math.max(...latencies) },
      partitions,
      metricsLag,
    };
  } finally {
    await pool.end();
    await monitorClient?.end();
    await admin.end();
  }
}

