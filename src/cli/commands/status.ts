/**
 * `specql status <path…> [--database-url URL] [--format text|json] [--check] [--grace S] [--max-queue-age S]`
 * Partitions, DEFAULT rows, index use, queues, view staleness and the last
 * maintenance, per entity (src/status). With --check the exit code is 2 when
 * anything is behind (for an alert), 0 when all is current; 1 on errors.
 */
import { connect } from '../../db/connection';
import { resolveDatabase } from '../../db/target';
import { desiredFor, todayUtc } from '../../engine';
import { collectStatus } from '../../status/collect';
import { statusText } from '../../status/format';
import { loadOrReport, parseCommandArgs, UsageError } from '../args';

const USAGE = 'usage: specql status <path…> [--database-url URL] [--format text|json] [--check] [--grace SECONDS] [--max-queue-age SECONDS]\n';

function seconds(value: string | boolean | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} takes seconds`);
  return n;
}

export async function run(args: string[]): Promise<number> {
  try {
    const { positionals, values } = parseCommandArgs(args, {
      'database-url': 'string', format: 'string', check: 'boolean', grace: 'string', 'max-queue-age': 'string',
    });
    if (values.help || positionals.length === 0) {
      process.stderr.write(USAGE);
      return values.help ? 0 : 1;
    }
    const format = (values.format as string | undefined) ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError('--format is text or json');
    const graceSeconds = seconds(values.grace, '--grace');
    const maxQueueAgeSeconds = seconds(values['max-queue-age'], '--max-queue-age');
    const specs = await loadOrReport(positionals);
    if (!specs) return 1;
    const target = await resolveDatabase(values['database-url'] as string | undefined);
    try {
      const client = await connect(target.url, 'specql status');
      try {
        const desired = desiredFor(specs, { databaseUrl: target.url, today: todayUtc() }, false);
        const report = await collectStatus(client, desired, {
          ...(graceSeconds !== undefined ? { graceSeconds } : {}),
          ...(maxQueueAgeSeconds !== undefined ? { maxQueueAgeSeconds } : {}),
        });
        process.stdout.write(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : statusText(report));
        return values.check && report.problems.length > 0 ? 2 : 0;
      } finally {
        await client.end();
      }
    } finally {
      await target.close();
    }
  } catch (err) {
    process.stderr.write(`specql status: ${(err as Error).message}\n${err instanceof UsageError ? USAGE : ''}`);
    return 1;
  }
}
