/**
 * `specql status`: what the database and the worker's run log say, per
 * entity — the seed's "Performance Monitoring", as one read-only pass:
 * partitions (count, rows, size, future partitions ready), rows waiting in
 * DEFAULT, index use (scans summed over partitions; unused flagged), queue
 * depth and oldest entry, each view's last refresh against its interval, the
 * last maintenance. Runs made by pg_cron (cron.job_run_details) count like
 * the worker's own (specql.run_log).
 *
 * Problems are what `--check` fails on: a stale view, queue entries older
 * than allowed, rows in DEFAULT, fewer future partitions than premake, and
 * objects the specs generate that the database lacks.
 */
import type { ClientBase as Client } from 'pg';
import { parsePartitionBound } from '../catalog/normalize';
import { addIntervals, boundOf, intervalStart } from '../desired/window';
import type { DesiredState, EntityOutputs } from '../model/objects';
import { qualify } from '../model/ident';
import { RUN_LOG } from '../worker/run-log';
import type { PartitionInterval } from '../spec/model';
import { refreshSchedule } from '../spec/refresh';

export interface StatusOptions {
  /** Extra time a view may take past its interval before it counts as stale (default 60 s). */
  readonly graceSeconds?: number;
  /** Oldest queue entry allowed (default 60 s). */
  readonly maxQueueAgeSeconds?: number;
}

export interface LastRun {
  readonly at: string;
  readonly ageSeconds: number;
  /** `worker` (specql.run_log) or `pg_cron job <name>`. */
  readonly by: string;
  readonly rows: number | null;
  readonly detail: string | null;
}

export interface PartitionStatus {
  readonly interval: string;
  readonly count: number;
  /** Estimated live rows (pg_stat_user_tables), over all partitions and DEFAULT. */
  readonly rows: number;
  readonly bytes: number;
  readonly futureReady: number;
  readonly premake: number;
  readonly newestBound: string | null;
  readonly defaultPartition: string | null;
  /** Exact count; null without a DEFAULT partition. */
  readonly defaultRows: number | null;
}

export interface IndexStatus {
  readonly name: string;
  readonly scans: number;
  readonly bytes: number;
  /** Never scanned since the statistics were reset (unique indexes enforce a rule, so never flagged). */
  readonly unused: boolean;
}

export interface QueueStatus {
  readonly queue: string;
  readonly depth: number;
  readonly oldestAgeSeconds: number | null;
  readonly lastDrain: LastRun | null;
  readonly runner: string;
}

export interface ViewStatus {
  readonly view: string;
  readonly interval: string;
  readonly intervalSeconds: number;
  readonly lastRefresh: LastRun | null;
  readonly stale: boolean;
  readonly lastError: string | null;
  readonly runner: string;
}

export interface EntityStatus {
  readonly entity: string;
  readonly table: string;
  readonly exists: boolean;
  readonly partitions: PartitionStatus | null;
  readonly indexes: readonly IndexStatus[];
  readonly queues: readonly QueueStatus[];
  readonly views: readonly ViewStatus[];
  readonly maintenance: { readonly lastRun: LastRun | null; readonly lastError: string | null; readonly runner: string } | null;
}

export type ProblemKind = 'stale_view' | 'old_queue_entries' | 'rows_in_default' | 'few_future_partitions' | 'missing_object';

export interface Problem {
  readonly kind: ProblemKind;
  readonly entity: string;
  readonly message: string;
}

export interface StatusReport {
  readonly database: string;
  readonly now: string;
  readonly statsSince: string | null;
  readonly runLog: boolean;
  readonly entities: readonly EntityStatus[];
  readonly problems: readonly Problem[];
}

type Row = Record<string, unknown>;

const ageOf = (at: Date, now: Date): number => Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));

async function one(client: Client, sql: string, params: unknown[] = []): Promise<Row | undefined> {
  return (await client.query(sql, params)).rows[0] as Row | undefined;
}

async function exists(client: Client, name: string): Promise<boolean> {
  return Boolean((await one(client, 'SELECT to_regclass($1) IS NOT NULL AS ok', [name]))!.ok);
}

/** Latest run of a task from the run log and from pg_cron, whichever is newer. */
async function lastRun(
  client: Client,
  sources: { runLog: boolean; pgCron: boolean },
  task: string,
  target: string,
  jobName: string,
  now: Date,
): Promise<{ ok: LastRun | null; error: string | null }> {
  const candidates: { at: Date; run: LastRun }[] = [];
  let error: string | null = null;
  let errorAt = 0;
  if (sources.runLog) {
    const ok = await one(
      client,
      `SELECT started_at, rows, detail FROM ${RUN_LOG} WHERE task = $1 AND target = $2 AND error IS NULL ORDER BY started_at DESC LIMIT 1`,
      [task, target],
    );
    if (ok) {
      const at = ok.started_at as Date;
      candidates.push({ at, run: { at: at.toISOString(), ageSeconds: ageOf(at, now), by: 'worker', rows: ok.rows === null ? null : Number(ok.rows), detail: (ok.detail as string | null) ?? null } });
    }
    const failed = await one(client, `SELECT started_at, error FROM ${RUN_LOG} WHERE task = $1 AND target = $2 ORDER BY started_at DESC LIMIT 1`, [task, target]);
    if (failed && failed.error !== null) {
      error = String(failed.error);
      errorAt = (failed.started_at as Date).getTime();
    }
  }
  if (sources.pgCron) {
    const cron = await one(
      client,
      `SELECT d.start_time, d.return_message FROM cron.job_run_details d JOIN cron.job j ON j.jobid = d.jobid
       WHERE j.jobname = $1 AND d.status = 'succeeded' ORDER BY d.start_time DESC LIMIT 1`,
      [jobName],
    );
    if (cron && cron.start_time) {
      const at = cron.start_time as Date;
      candidates.push({ at, run: { at: at.toISOString(), ageSeconds: ageOf(at, now), by: `pg_cron job ${jobName}`, rows: null, detail: (cron.return_message as string | null) ?? null } });
    }
  }
  candidates.sort((a, b) => b.at.getTime() - a.at.getTime());
  const best = candidates[0];
  // An error older than the last success is history, not the current state.
  if (best && errorAt <= best.at.getTime()) error = null;
  return { ok: best?.run ?? null, error };
}

async function partitionStatus(client: Client, e: EntityOutputs, today: string): Promise<PartitionStatus | null> {
  const window = e.partitionWindow;
  if (window === null) return null;
  const parent = qualify(e.schema, e.table);
  const { rows } = await client.query(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound,
            coalesce(s.n_live_tup, 0)::bigint AS rows, pg_total_relation_size(c.oid)::bigint AS bytes
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
     WHERE i.inhparent = $1::regclass`,
    [parent],
  );
  const interval = window.interval as PartitionInterval;
  const current = intervalStart(interval, today);
  let count = 0;
  const starts = new Set<string>();
  let newest: string | null = null;
  let total = 0;
  let bytes = 0;
  for (const row of rows as Row[]) {
    total += Number(row.rows);
    bytes += Number(row.bytes);
    const bound = parsePartitionBound(String(row.bound));
    if (bound?.kind !== 'range') continue;
    count++;
    starts.add(bound.from);
    if (newest === null || bound.to > newest) newest = bound.to;
  }
  // Ready = the consecutive intervals after the current one that have a partition (a far-future
  // partition made for an early row does not make next month ready).
  let future = 0;
  while (starts.has(boundOf(addIntervals(interval, current, future + 1)))) future++;
  let defaultRows: number | null = null;
  if (e.defaultPartition !== null && (await exists(client, qualify(e.schema, e.defaultPartition)))) {
    defaultRows = Number((await one(client, `SELECT count(*)::bigint AS n FROM ${qualify(e.schema, e.defaultPartition)}`))!.n);
  }
  return {
    interval: window.interval, count, rows: total, bytes, futureReady: future, premake: window.premake,
    newestBound: newest, defaultPartition: e.defaultPartition, defaultRows,
  };
}

async function indexStatus(client: Client, e: EntityOutputs): Promise<IndexStatus[]> {
  const { rows } = await client.query(
    `SELECT p.relname AS name, x.indisunique AS is_unique,
            coalesce(sum(s.idx_scan), 0)::bigint AS scans,
            coalesce(sum(pg_relation_size(coalesce(ch.inhrelid, p.oid))), 0)::bigint AS bytes
     FROM pg_index x
     JOIN pg_class p ON p.oid = x.indexrelid
     LEFT JOIN pg_inherits ch ON ch.inhparent = p.oid
     LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = coalesce(ch.inhrelid, p.oid)
     WHERE x.indrelid = $1::regclass
     GROUP BY p.relname, x.indisunique
     ORDER BY p.relname`,
    [qualify(e.schema, e.table)],
  );
  const declared = new Set(e.indexes);
  return (rows as Row[])
    .filter((r) => declared.has(String(r.name)))
    .map((r) => ({ name: String(r.name), scans: Number(r.scans), bytes: Number(r.bytes), unused: !r.is_unique && Number(r.scans) === 0 }));
}

export async function collectStatus(client: Client, desired: DesiredState, options: StatusOptions = {}): Promise<StatusReport> {
  const grace = options.graceSeconds ?? 60;
  const maxQueueAge = options.maxQueueAgeSeconds ?? 60;
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query(`SET LOCAL TimeZone = 'UTC'`);
    const head = (await one(
      client,
      `SELECT clock_timestamp() AS now, current_database() AS db,
              (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_reset,
              EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') AS pg_cron`,
    ))!;
    const now = head.now as Date;
    const today = now.toISOString().slice(0, 10);
    const runLog = await exists(client, RUN_LOG);
    const pgCron = Boolean(head.pg_cron);
    const jobs = pgCron ? new Set((await client.query(`SELECT jobname FROM cron.job WHERE active AND jobname IS NOT NULL`)).rows.map((r) => String(r.jobname))) : new Set<string>();
    const sources = { runLog, pgCron };
    const runner = (job: string): string => (jobs.has(job) ? `pg_cron job ${job}` : 'specql worker');
    const problems: Problem[] = [];
    if (!runLog) problems.push({ kind: 'missing_object', entity: '-', message: `${RUN_LOG} does not exist: run \`specql apply\` with these specs` });
    const entities: EntityStatus[] = [];

    for (const e of desired.entities) {
      const table = qualify(e.schema, e.table);
      if (!(await exists(client, table))) {
        problems.push({ kind: 'missing_object', entity: e.entity, message: `${table} does not exist: run \`specql apply\`` });
        entities.push({ entity: e.entity, table, exists: false, partitions: null, indexes: [], queues: [], views: [], maintenance: null });
        continue;
      }
      const partitions = await partitionStatus(client, e, today);
      if (partitions) {
        if ((partitions.defaultRows ?? 0) > 0) {
          problems.push({ kind: 'rows_in_default', entity: e.entity, message: `${partitions.defaultRows} rows wait in ${e.schema}.${partitions.defaultPartition}: run the worker (or \`specql maintain\`) to move them into partitions` });
        }
        if (partitions.futureReady < partitions.premake) {
          problems.push({ kind: 'few_future_partitions', entity: e.entity, message: `${table} has ${partitions.futureReady} future partitions ready, fewer than premake ${partitions.premake}: partition maintenance is behind` });
        }
      }
      const indexes = await indexStatus(client, e);

      const queues: QueueStatus[] = [];
      for (const q of e.queueSchedules) {
        const name = qualify(e.schema, q.queue);
        if (!(await exists(client, name))) {
          problems.push({ kind: 'missing_object', entity: e.entity, message: `queue ${name} does not exist: run \`specql apply\`` });
          continue;
        }
        const depth = (await one(client, `SELECT count(*)::bigint AS n, min(queued_at) AS oldest FROM ${name}`))!;
        const oldest = depth.oldest === null ? null : ageOf(depth.oldest as Date, now);
        const last = await lastRun(client, sources, 'drain', `${e.schema}.${q.queue}`, q.jobName, now);
        const status: QueueStatus = { queue: q.queue, depth: Number(depth.n), oldestAgeSeconds: oldest, lastDrain: last.ok, runner: jobs.has(q.jobName) ? `specql worker; pg_cron job ${q.jobName} (${q.schedule})` : 'specql worker' };
        queues.push(status);
        if (oldest !== null && oldest > maxQueueAge) {
          problems.push({ kind: 'old_queue_entries', entity: e.entity, message: `${status.depth} entries wait in ${name}, the oldest for ${oldest} s (allowed ${maxQueueAge} s): is a worker running?` });
        }
      }

      const views: ViewStatus[] = [];
      for (const r of e.refreshSchedules) {
        const last = await lastRun(client, sources, 'refresh', `${e.schema}.${r.view}`, r.jobName, now);
        const seconds = intervalSeconds(r.interval, r.cron);
        const stale = last.ok === null || last.ok.ageSeconds > seconds + grace;
        views.push({ view: r.view, interval: r.interval, intervalSeconds: seconds, lastRefresh: last.ok, stale, lastError: last.error, runner: runner(r.jobName) });
        if (stale) {
          problems.push({
            kind: 'stale_view', entity: e.entity,
            message: last.ok === null
              ? `${e.schema}.${r.view} has never been refreshed by the worker or pg_cron (every ${r.interval})${last.error ? `; last error: ${last.error}` : ''}`
              : `${e.schema}.${r.view} was last refreshed ${last.ok.ageSeconds} s ago, more than its interval (${r.interval}) plus ${grace} s${last.error ? `; last error: ${last.error}` : ''}`,
          });
        }
      }

      let maintenance: EntityStatus['maintenance'] = null;
      if (e.maintenanceSchedule) {
        const last = await lastRun(client, sources, 'maintain', table, e.maintenanceSchedule.jobName, now);
        maintenance = { lastRun: last.ok, lastError: last.error, runner: runner(e.maintenanceSchedule.jobName) };
      }
      entities.push({ entity: e.entity, table, exists: true, partitions, indexes, queues, views, maintenance });
    }
    await client.query('COMMIT');
    return {
      database: String(head.db),
      now: now.toISOString(),
      statsSince: head.stats_reset ? (head.stats_reset as Date).toISOString() : null,
      runLog,
      entities,
      problems,
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** The refresh interval in seconds, by the same rules as the spec's refresh_interval. */
function intervalSeconds(interval: string, cron: string): number {
  const schedule = refreshSchedule(interval);
  if (schedule === null) throw new Error(`cannot read refresh interval "${interval}" (${cron})`);
  return schedule.seconds;
}
