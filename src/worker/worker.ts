/**
 * `specql worker`: the runner for everything the specs schedule.
 *
 * Three lanes, each with its own connection, so a long refresh never delays
 * the metrics:
 * - listen: LISTEN specql_queue; a notification (one per inserting statement,
 *   sent at commit) marks its queue dirty and wakes the drain lane;
 * - drain: calls `<action>_process(batch)` until it returns 0 for every dirty
 *   queue; every `pollMs` all queues are marked dirty (the fallback when a
 *   notification was missed, e.g. while reconnecting). Each call is its own
 *   transaction, and the processor takes rows with FOR UPDATE SKIP LOCKED,
 *   so several workers split a queue and a killed worker loses nothing: its
 *   open batch rolls back and stays queued;
 * - schedule: partition maintenance at start, daily, and whenever rows wait
 *   in a DEFAULT partition; each view's refresh when its slot comes (see
 *   ./schedule.ts), under a transaction-scoped advisory lock with the last
 *   run re-checked under it, so two workers never refresh one view at once
 *   and a late slot is run once; then the Redis cache, if the view has one.
 *
 * Every run is recorded in specql.run_log and logged as one line. Lost
 * connections are reopened with exponential backoff. stop() (SIGTERM/SIGINT)
 * lets the statement in flight finish (the current batch, refresh or
 * maintenance), then closes everything.
 */
import { hostname } from 'node:os';
import { Client } from 'pg';
import { qualify, quoteIdent } from '../model/ident';
import { QUEUE_CHANNEL } from '../desired/queue-drain';
import { cacheQuery, type CacheWriter } from './cache';
import type { Logger } from './log';
import { lastSuccess, pruneRuns, recordRun, RUN_LOG, type RunTask } from './run-log';
import { isDue, lastSlot, nextSlot } from './schedule';
import type { DrainTask, MaintainTask, RefreshTask, WorkerTasks } from './tasks';

export interface WorkerOptions {
  readonly databaseUrl: string;
  readonly tasks: WorkerTasks;
  readonly log: Logger;
  /** Fallback poll of every queue, and the listener's health check (default 5 s). */
  readonly pollMs?: number;
  /** How often a DEFAULT partition is checked for waiting rows (default 60 s). */
  readonly defaultCheckMs?: number;
  readonly cache?: CacheWriter | null;
  /** Runs older than this are pruned from specql.run_log (the latest success of each task is kept). */
  readonly keepRunsDays?: number;
  readonly workerId?: string;
}

/** A long drain is recorded (and logged) in slices, so the log shows progress under sustained load. */
const DRAIN_SLICE_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;
/** After a failed run, the task waits this long before it is tried again (doubling, capped). */
const RETRY_MS = 5_000;
const MAX_RETRY_MS = 300_000;
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03']);

/** Errors after which the connection is unusable and must be reopened. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  return /Connection terminated|not queryable|connection error|terminating connection|socket hang up|Client was closed/i.test(e.message ?? '');
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** One waiter, woken early by wake() (a wake with nobody waiting is kept for the next wait). */
class Wakeup {
  private waiter: (() => void) | null = null;
  private pending = false;
  wake(): void {
    if (this.waiter) this.waiter();
    else this.pending = true;
  }
  wait(ms: number): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(false);
      }, Math.max(0, ms));
      this.waiter = () => {
        clearTimeout(timer);
        this.waiter = null;
        resolve(true);
      };
    });
  }
}

interface Lane {
  client: Client | null;
}

export class Worker {
  private readonly pollMs: number;
  private readonly defaultCheckMs: number;
  private readonly workerId: string;
  private stopping = false;
  private stopResolve!: () => void;
  private readonly stopped = new Promise<void>((resolve) => (this.stopResolve = resolve));
  private readonly drainWake = new Wakeup();
  private readonly scheduleWake = new Wakeup();
  private readonly dirty = new Set<string>();
  private readonly retryAt = new Map<string, { at: number; failures: number }>();
  /** pg_cron jobs present in the database: their refreshes and daily maintenance are left to pg_cron. */
  private cronJobs = new Set<string>();
  private failedRuns = 0;

  constructor(private readonly options: WorkerOptions) {
    this.pollMs = options.pollMs ?? 5_000;
    this.defaultCheckMs = options.defaultCheckMs ?? 60_000;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}`;
  }

  private get tasks(): WorkerTasks {
    return this.options.tasks;
  }

  private log(event: Parameters<Logger>[0]): void {
    this.options.log(event);
  }

  /** Ask the worker to finish what it is doing and return from run(). */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.log({ level: 'info', event: 'stop', message: 'stopping: finishing the statement in flight' });
    this.stopResolve();
    this.drainWake.wake();
    this.scheduleWake.wake();
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  private sleep(ms: number): Promise<void> {
    return Promise.race([new Promise<void>((r) => setTimeout(r, ms)), this.stopped]);
  }

  private backoff(attempt: number): number {
    const base = Math.min(250 * 2 ** attempt, MAX_BACKOFF_MS);
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  /** Opens a connection, retrying with backoff until it works or the worker stops. */
  private async connect(lane: string, attempts = Infinity): Promise<Client | null> {
    for (let attempt = 0; !this.stopping && attempt < attempts; attempt++) {
      const client = new Client({ connectionString: this.options.databaseUrl, application_name: `specql worker ${lane}`, keepAlive: true });
      // An idle connection that dies emits 'error'; the next query then fails and the lane reconnects.
      client.on('error', () => undefined);
      try {
        await client.connect();
        if (attempt > 0) this.log({ level: 'info', event: 'db', message: `${lane}: connected again after ${attempt} failed attempts` });
        return client;
      } catch (err) {
        await client.end().catch(() => undefined);
        if (attempt + 1 >= attempts) throw err;
        const delay = this.backoff(attempt);
        this.log({ level: 'warn', event: 'db', message: `${lane}: cannot connect (${message(err)}); retrying in ${delay} ms` });
        await this.sleep(delay);
      }
    }
    return null;
  }

  private async drop(lane: Lane): Promise<void> {
    const client = lane.client;
    lane.client = null;
    await client?.end().catch(() => undefined);
  }

  private markAllDirty(): void {
    for (const d of this.tasks.drains) this.dirty.add(d.target);
  }

  private waiting(target: string): boolean {
    const retry = this.retryAt.get(target);
    return retry !== undefined && retry.at > Date.now();
  }

  private failed(target: string): void {
    const previous = this.retryAt.get(target)?.failures ?? 0;
    this.retryAt.set(target, { at: Date.now() + Math.min(RETRY_MS * 2 ** previous, MAX_RETRY_MS), failures: previous + 1 });
    this.failedRuns++;
  }

  private succeeded(target: string): void {
    this.retryAt.delete(target);
  }

  /** Records a run; a run log that cannot be written is logged, never fatal. */
  private async record(client: Client, task: RunTask, target: string, startedAt: Date, rows: number | null, error: string | null, detail: string | null): Promise<void> {
    try {
      await recordRun(client, { task, target, startedAt, finishedAt: new Date(), rows, error, detail, worker: this.workerId });
    } catch (err) {
      if (isConnectionError(err)) throw err;
      this.log({ level: 'warn', event: 'run_log', target, message: `cannot record the run in ${RUN_LOG}: ${message(err)}` });
    }
  }

  /** Objects the tasks need; a clear message when the specs were not applied to this database. */
  private async missingObjects(client: Client): Promise<string[]> {
    const wanted: { kind: 'table' | 'function'; name: string }[] = [
      { kind: 'table', name: RUN_LOG },
      ...this.tasks.drains.map((t) => ({ kind: 'function' as const, name: `${qualify(t.processor.schema, t.processor.name)}(integer)` })),
      ...this.tasks.refreshes.map((t) => ({ kind: 'function' as const, name: `${qualify(t.function.schema, t.function.name)}()` })),
      ...this.tasks.maintenance.map((t) => ({ kind: 'function' as const, name: `${qualify(t.function.schema, t.function.name)}(date)` })),
    ];
    const missing: string[] = [];
    for (const w of wanted) {
      const sql = w.kind === 'table' ? 'SELECT to_regclass($1) IS NOT NULL AS ok' : 'SELECT to_regprocedure($1) IS NOT NULL AS ok';
      const { rows } = await client.query(sql, [w.name]);
      if (!rows[0].ok) missing.push(`${w.kind} ${w.name}`);
    }
    return missing;
  }

  private async loadCronJobs(client: Client): Promise<void> {
    const { rows } = await client.query(
      `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') AS present`,
    );
    if (!rows[0].present) {
      this.cronJobs = new Set();
      return;
    }
    const jobs = await client.query(`SELECT jobname FROM cron.job WHERE active AND jobname IS NOT NULL`);
    this.cronJobs = new Set(jobs.rows.map((r) => String(r.jobname)));
  }

  // --- drain -------------------------------------------------------------

  /** Drains one queue until the processor returns 0 (or the worker stops after a batch). */
  private async drain(client: Client, task: DrainTask): Promise<{ rows: number; error: string | null }> {
    const call = `SELECT ${qualify(task.processor.schema, task.processor.name)}($1::integer) AS n`;
    let sliceStart = new Date();
    let rows = 0;
    let batches = 0;
    let total = 0;
    const flush = async (error: string | null): Promise<void> => {
      if (rows === 0 && error === null) return;
      const ms = Date.now() - sliceStart.getTime();
      await this.record(client, 'drain', task.target, sliceStart, rows, error, `${batches} batches of up to ${task.batchSize}`);
      this.log({ level: error ? 'error' : 'info', event: 'drain', target: task.target, rows, ms, batches, ...(error ? { error } : {}) });
    };
    try {
      for (;;) {
        const { rows: result } = await client.query(call, [task.batchSize]);
        const n = Number(result[0].n);
        if (n === 0) break;
        rows += n;
        total += n;
        batches++;
        if (this.stopping) break;
        if (Date.now() - sliceStart.getTime() >= DRAIN_SLICE_MS) {
          await flush(null);
          sliceStart = new Date();
          rows = 0;
          batches = 0;
        }
      }
    } catch (err) {
      if (isConnectionError(err)) {
        if (rows > 0) this.log({ level: 'info', event: 'drain', target: task.target, rows, ms: Date.now() - sliceStart.getTime(), batches });
        throw err;
      }
      await flush(message(err));
      this.failed(task.target);
      return { rows: total, error: message(err) };
    }
    await flush(null);
    this.succeeded(task.target);
    return { rows: total, error: null };
  }

  private async drainLane(): Promise<void> {
    const lane: Lane = { client: null };
    const byTarget = new Map(this.tasks.drains.map((t) => [t.target, t]));
    while (!this.stopping) {
      if (!lane.client) {
        lane.client = await this.connect('drain');
        if (!lane.client) break;
        this.markAllDirty();
      }
      try {
        const due = [...this.dirty].filter((t) => !this.waiting(t));
        for (const target of due) {
          if (this.stopping) break;
          this.dirty.delete(target);
          const task = byTarget.get(target);
          if (task) await this.drain(lane.client, task);
        }
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        this.log({ level: 'warn', event: 'db', message: `drain: connection lost (${message(err)}); reconnecting` });
        await this.drop(lane);
        continue;
      }
      if (this.stopping) break;
      if ([...this.dirty].some((t) => !this.waiting(t))) continue;
      // Sleep until a notification, the poll, or the earliest retry of a failed queue.
      const retry = Math.min(...[...this.retryAt.values()].map((r) => r.at - Date.now()));
      const woken = await this.drainWake.wait(Math.max(50, Math.min(this.pollMs, retry)));
      if (!woken) this.markAllDirty();
    }
    await this.drop(lane);
  }

  // --- listen ------------------------------------------------------------

  private async listenLane(): Promise<void> {
    const known = new Set(this.tasks.drains.map((t) => t.target));
    while (!this.stopping) {
      const client = await this.connect('listen');
      if (!client) break;
      try {
        client.on('notification', (note) => {
          if (note.channel !== QUEUE_CHANNEL || note.payload === undefined || !known.has(note.payload)) return;
          this.dirty.add(note.payload);
          this.drainWake.wake();
        });
        await client.query(`LISTEN ${quoteIdent(QUEUE_CHANNEL)}`);
        // Whatever was enqueued while nobody listened is found by draining everything once.
        this.markAllDirty();
        this.drainWake.wake();
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearInterval(health);
            resolve();
          };
          // A connection that died silently is noticed by the health check.
          const health = setInterval(() => {
            client.query('SELECT 1').catch(() => done());
          }, Math.max(this.pollMs, 1_000));
          client.once('end', done);
          client.once('error', done);
          void this.stopped.then(done);
        });
        if (!this.stopping) this.log({ level: 'warn', event: 'db', message: 'listen: connection lost; reconnecting' });
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        this.log({ level: 'warn', event: 'db', message: `listen: ${message(err)}; reconnecting` });
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }

  // --- refresh, cache, maintenance ----------------------------------------

  /**
   * Refreshes a view for `slot`, unless another worker holds its lock or already ran it
   * for this slot. The refresh and its run-log row commit together.
   */
  private async refresh(client: Client, task: RefreshTask, slot: Date): Promise<boolean> {
    const startedAt = new Date();
    await client.query('BEGIN');
    try {
      const { rows: lock } = await client.query(`SELECT pg_try_advisory_xact_lock(hashtext('specql:refresh'), hashtext($1)) AS got`, [task.target]);
      if (!lock[0].got) {
        await client.query('ROLLBACK');
        this.log({ level: 'info', event: 'refresh', target: task.target, message: 'skipped: another worker is refreshing it' });
        return false;
      }
      const last = await lastSuccess(client, 'refresh', task.target);
      if (last !== null && last.getTime() >= slot.getTime()) {
        await client.query('ROLLBACK');
        return false;
      }
      // Started once the lock is held (so no two recorded refreshes of a view overlap), on the database's clock.
      const { rows: started } = await client.query(`SELECT clock_timestamp() AS t`);
      await client.query(`SELECT ${qualify(task.function.schema, task.function.name)}()`);
      const { rows: counted } = await client.query(`SELECT count(*)::bigint AS n FROM ${qualify(task.view.schema, task.view.name)}`);
      const rows = Number(counted[0].n);
      const { rows: finished } = await client.query(`SELECT clock_timestamp() AS t`);
      await recordRun(client, {
        task: 'refresh', target: task.target, startedAt: started[0].t as Date, finishedAt: finished[0].t as Date, rows, error: null,
        detail: `slot ${slot.toISOString()} (every ${task.interval})`, worker: this.workerId,
      });
      await client.query('COMMIT');
      this.succeeded(task.target);
      this.log({ level: 'info', event: 'refresh', target: task.target, rows, ms: Date.now() - startedAt.getTime(), slot: slot.toISOString() });
      return true;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (isConnectionError(err)) throw err;
      await this.record(client, 'refresh', task.target, startedAt, null, message(err), `slot ${slot.toISOString()}`);
      this.log({ level: 'error', event: 'refresh', target: task.target, ms: Date.now() - startedAt.getTime(), error: message(err) });
      this.failed(task.target);
      return false;
    }
  }

  private async writeCache(client: Client, task: RefreshTask): Promise<void> {
    const cache = task.cache;
    const writer = this.options.cache;
    if (!cache || !writer) return;
    const startedAt = new Date();
    const target = `${task.target} -> ${cache.key}`;
    let failure: string | null = null;
    let n = 0;
    try {
      const { rows } = await client.query(cacheQuery(task));
      n = Number(rows[0].n);
      try {
        await writer.write(cache.key, String(rows[0].payload), cache.ttlSeconds);
      } catch (err) {
        failure = `redis: ${message(err)}`;
      }
    } catch (err) {
      if (isConnectionError(err)) throw err;
      failure = message(err);
    }
    if (failure === null) {
      await this.record(client, 'cache', task.target, startedAt, n, null, `key ${cache.key}, ttl ${cache.ttlSeconds} s`);
      this.log({ level: 'info', event: 'cache', target, rows: n, ms: Date.now() - startedAt.getTime(), ttl: cache.ttlSeconds });
    } else {
      await this.record(client, 'cache', task.target, startedAt, null, failure, `key ${cache.key}`);
      this.log({ level: 'error', event: 'cache', target, ms: Date.now() - startedAt.getTime(), error: failure });
      this.failedRuns++;
    }
  }

  private async maintain(client: Client, task: MaintainTask, reason: string): Promise<void> {
    const startedAt = new Date();
    try {
      const { rows } = await client.query(`SELECT ${qualify(task.function.schema, task.function.name)}() AS summary`);
      const summary = String(rows[0].summary);
      await this.record(client, 'maintain', task.target, startedAt, null, null, `${reason}: ${summary}`);
      this.succeeded(task.target);
      this.log({ level: 'info', event: 'maintain', target: task.target, ms: Date.now() - startedAt.getTime(), reason, message: summary });
    } catch (err) {
      if (isConnectionError(err)) throw err;
      await this.record(client, 'maintain', task.target, startedAt, null, message(err), reason);
      this.log({ level: 'error', event: 'maintain', target: task.target, ms: Date.now() - startedAt.getTime(), reason, error: message(err) });
      this.failed(task.target);
    }
  }

  private async defaultHasRows(client: Client, task: MaintainTask): Promise<boolean> {
    if (task.defaultPartition === null) return false;
    const name = qualify(task.defaultPartition.schema, task.defaultPartition.name);
    const { rows } = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [name]);
    if (!rows[0].present) return false;
    const found = await client.query(`SELECT EXISTS (SELECT 1 FROM ${name}) AS rows`);
    return Boolean(found.rows[0].rows);
  }

  private async dbNow(client: Client): Promise<Date> {
    const { rows } = await client.query('SELECT clock_timestamp() AS now');
    return rows[0].now as Date;
  }

  private async scheduleLane(): Promise<void> {
    const lane: Lane = { client: null };
    const maintainedOnce = new Set<string>();
    let lastDefaultCheck = 0;
    let lastPrune = 0;
    while (!this.stopping) {
      if (!lane.client) {
        lane.client = await this.connect('schedule');
        if (!lane.client) break;
        try {
          await this.loadCronJobs(lane.client);
        } catch (err) {
          if (!isConnectionError(err)) throw err;
          await this.drop(lane);
          continue;
        }
      }
      const client = lane.client;
      let sleepMs = this.defaultCheckMs;
      try {
        const checkDefaults = Date.now() - lastDefaultCheck >= this.defaultCheckMs;
        if (checkDefaults) lastDefaultCheck = Date.now();
        for (const task of this.tasks.maintenance) {
          if (this.stopping) break;
          if (this.waiting(task.target)) continue;
          let reason: string | null = null;
          const now = await this.dbNow(client);
          if (!maintainedOnce.has(task.target)) reason = 'start';
          else if (!this.cronJobs.has(task.cronJob) && isDue(task.cron, await lastSuccess(client, 'maintain', task.target), now)) reason = 'daily';
          else if (checkDefaults && (await this.defaultHasRows(client, task))) reason = 'rows waiting in DEFAULT';
          if (reason === null) continue;
          await this.maintain(client, task, reason);
          maintainedOnce.add(task.target);
        }
        for (const task of this.tasks.refreshes) {
          if (this.stopping) break;
          if (this.cronJobs.has(task.cronJob) || this.waiting(task.target)) continue;
          const now = await this.dbNow(client);
          if (!isDue(task.cron, await lastSuccess(client, 'refresh', task.target), now)) continue;
          if (await this.refresh(client, task, lastSlot(task.cron, now))) await this.writeCache(client, task);
        }
        if (Date.now() - lastPrune >= 86_400_000 && this.options.keepRunsDays !== undefined) {
          lastPrune = Date.now();
          const pruned = await pruneRuns(client, this.options.keepRunsDays);
          if (pruned > 0) this.log({ level: 'info', event: 'run_log', rows: pruned, message: `pruned runs older than ${this.options.keepRunsDays} days` });
        }
        // Sleep until the next slot (or DEFAULT check, or retry), at most a minute.
        const now = await this.dbNow(client);
        const next = [
          ...this.tasks.refreshes.filter((t) => !this.cronJobs.has(t.cronJob)).map((t) => nextSlot(t.cron, now).getTime()),
          ...this.tasks.maintenance.map((t) => nextSlot(t.cron, now).getTime()),
        ];
        const retries = [...this.retryAt.values()].map((r) => r.at - Date.now() + now.getTime());
        const earliest = Math.min(now.getTime() + this.defaultCheckMs, ...next, ...retries);
        sleepMs = Math.max(50, Math.min(earliest - now.getTime(), 60_000));
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        this.log({ level: 'warn', event: 'db', message: `schedule: connection lost (${message(err)}); reconnecting` });
        await this.drop(lane);
        continue;
      }
      await this.scheduleWake.wait(sleepMs);
    }
    await this.drop(lane);
  }

  // --- entry points ------------------------------------------------------

  private async checkObjects(): Promise<boolean> {
    const client = await this.connect('check');
    if (!client) return true;
    try {
      const missing = await this.missingObjects(client);
      if (missing.length > 0) {
        this.log({
          level: 'error', event: 'start',
          message: `the database lacks what the specs generate (${missing.join(', ')}): run \`specql apply\` with these specs first`,
        });
        return false;
      }
      await this.loadCronJobs(client);
      for (const t of this.tasks.refreshes) {
        if (this.cronJobs.has(t.cronJob)) this.log({ level: 'info', event: 'start', target: t.target, message: `refreshed by pg_cron job ${t.cronJob}; not by this worker` });
      }
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Runs until stop(); resolves to the exit code (0, or 1 when the database lacks the objects). */
  async run(): Promise<number> {
    const t = this.tasks;
    this.log({
      level: 'info', event: 'start', worker: this.workerId,
      message: `${t.drains.length} queues, ${t.refreshes.length} views, ${t.maintenance.length} partitioned tables; polling every ${this.pollMs} ms`,
    });
    let ok: boolean;
    try {
      ok = await this.checkObjects();
    } catch (err) {
      this.log({ level: 'error', event: 'start', error: message(err) });
      return 1;
    }
    if (!ok) return 1;
    const lanes = [this.listenLane(), this.drainLane(), this.scheduleLane()].map((p) =>
      p.catch((err: unknown) => {
        // A lane that fails for a reason other than the connection stops the worker: better loud than silently half-working.
        this.log({ level: 'error', event: 'worker', error: message(err) });
        this.stop();
        throw err;
      }),
    );
    const results = await Promise.allSettled(lanes);
    await this.options.cache?.close().catch(() => undefined);
    this.log({ level: 'info', event: 'stop', message: 'stopped' });
    return results.some((r) => r.status === 'rejected') ? 1 : 0;
  }

  /**
   * `--once`: drain every queue, refresh the views that are due, run maintenance, then
   * return 0, or 1 when any run failed. For an external cron or a CI job.
   */
  async runOnce(): Promise<number> {
    let client: Client | null;
    try {
      client = await this.connect('once', 6);
    } catch (err) {
      this.log({ level: 'error', event: 'db', error: message(err) });
      return 1;
    }
    if (!client) return 1;
    try {
      const missing = await this.missingObjects(client);
      if (missing.length > 0) {
        this.log({ level: 'error', event: 'start', message: `the database lacks what the specs generate (${missing.join(', ')}): run \`specql apply\` first` });
        return 1;
      }
      for (const task of this.tasks.drains) {
        if (this.stopping) break;
        await this.drain(client, task);
      }
      for (const task of this.tasks.refreshes) {
        if (this.stopping) break;
        const now = await this.dbNow(client);
        if (!isDue(task.cron, await lastSuccess(client, 'refresh', task.target), now)) continue;
        if (await this.refresh(client, task, lastSlot(task.cron, now))) await this.writeCache(client, task);
      }
      for (const task of this.tasks.maintenance) {
        if (this.stopping) break;
        await this.maintain(client, task, 'once');
      }
      return this.failedRuns > 0 ? 1 : 0;
    } catch (err) {
      this.log({ level: 'error', event: 'worker', error: message(err) });
      return 1;
    } finally {
      await client.end().catch(() => undefined);
      await this.options.cache?.close().catch(() => undefined);
    }
  }
}
