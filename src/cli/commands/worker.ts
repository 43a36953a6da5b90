/**
 * `specql worker <path…> [--database-url URL] [--once] [--poll-interval S] [--log-format text|json]
 *  [--redis-url URL] [--redis-key-prefix P] [--no-cache] [--keep-runs DAYS]`
 *
 * Runs what the specs schedule (src/worker): drains the workflow queues,
 * refreshes the views (and their Redis caches), maintains the partitions.
 * SIGTERM/SIGINT: finish the statement in flight and exit 0; a second signal exits at once
 * (whatever was in flight rolls back and is retried by the next worker).
 */
import { resolveDatabase } from '../../db/target';
import { desiredFor, todayUtc } from '../../engine';
import { connectCache, type CacheWriter } from '../../worker/cache';
import { createLogger, type LogFormat } from '../../worker/log';
import { taskCount, workerTasks } from '../../worker/tasks';
import { Worker } from '../../worker/worker';
import { loadOrReport, parseCommandArgs, UsageError } from '../args';

const USAGE =
  'usage: specql worker <path…> [--database-url URL] [--once] [--poll-interval SECONDS] [--log-format text|json]\n' +
  '                     [--redis-url URL] [--redis-key-prefix PREFIX] [--no-cache] [--keep-runs DAYS]\n';

function positiveNumber(value: string | boolean | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a positive number`);
  return n;
}

export async function run(args: string[]): Promise<number> {
  try {
    const { positionals, values } = parseCommandArgs(args, {
      'database-url': 'string', once: 'boolean', 'poll-interval': 'string', 'log-format': 'string',
      'redis-url': 'string', 'redis-key-prefix': 'string', 'no-cache': 'boolean', 'keep-runs': 'string',
    });
    if (values.help || positionals.length === 0) {
      process.stderr.write(USAGE);
      return values.help ? 0 : 1;
    }
    const format = (values['log-format'] as string | undefined) ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError('--log-format is text or json');
    const pollMs = Math.round(positiveNumber(values['poll-interval'], '--poll-interval', 5) * 1000);
    const keepRunsDays = positiveNumber(values['keep-runs'], '--keep-runs', 14);
    const log = createLogger(format as LogFormat);

    const specs = await loadOrReport(positionals);
    if (!specs) return 1;
    // Names and batch sizes only: they do not depend on the day or on pg_cron.
    const tasks = workerTasks(specs, desiredFor(specs, { databaseUrl: '', today: todayUtc() }, false));
    if (taskCount(tasks) === 0) {
      process.stderr.write('specql worker: nothing to run: the specs have no async workflow, materialized view or partitioned table\n');
      return 1;
    }

    const cached = tasks.refreshes.filter((t) => t.cache !== null);
    const redisUrl = (values['redis-url'] as string | undefined) ?? process.env.REDIS_URL;
    let cache: CacheWriter | null = null;
    if (cached.length > 0 && !values['no-cache']) {
      if (!redisUrl) {
        throw new UsageError(
          `${cached.map((t) => t.target).join(', ')} ${cached.length === 1 ? 'has' : 'have'} a Redis cache (view.cache): pass --redis-url or set REDIS_URL, or run with --no-cache`,
        );
      }
      cache = connectCache(redisUrl, (values['redis-key-prefix'] as string | undefined) ?? '', (msg) =>
        log({ level: 'warn', event: 'redis', message: msg }),
      );
    }

    const target = await resolveDatabase(values['database-url'] as string | undefined, process.cwd(), { handleSignals: false });
    const worker = new Worker({ databaseUrl: target.url, tasks, log, pollMs, cache, keepRunsDays });
    const onSignal = (signal: NodeJS.Signals): void => {
      if (worker.isStopping) {
        log({ level: 'warn', event: 'stop', message: `${signal} again: exiting now; work in flight rolls back and stays queued` });
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      log({ level: 'info', event: 'stop', message: `${signal} received` });
      worker.stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      return values.once ? await worker.runOnce() : await worker.run();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await target.close();
    }
  } catch (err) {
    process.stderr.write(`specql worker: ${(err as Error).message}\n${err instanceof UsageError ? USAGE : ''}`);
    return 1;
  }
}
