/**
 * `specql load-test <path…> --rows N [--clients C] [--batch B] [--via copy|function]
 *  [--entity E] [--seed S] [--today YYYY-MM-DD] [--refs K] [--database-url URL] [--format text|json]`
 * Loads N synthetic rows into each chosen entity with C concurrent clients and
 * reports rows/s, batch latency, metrics lag and rows per partition. The rows
 * stay (it is a load test: point it at a test database). Same seed and
 * today, same rows.
 */
import { resolveDatabase } from '../../db/target';
import { todayUtc } from '../../engine';
import { progressBar } from '../../loadtest/progress';
import { loadTestText } from '../../loadtest/report';
import { runLoadTest, type LoadTestReport, type LoadVia } from '../../loadtest/run';
import { dateOption, loadOrReport, parseCommandArgs, UsageError } from '../args';

const USAGE =
  'usage: specql load-test <path…> --rows N [--clients C] [--batch B] [--via copy|function] [--entity E] [--seed S] [--today YYYY-MM-DD] [--refs K] [--database-url URL] [--format text|json]\n';

function positiveInt(value: string | boolean | undefined, flag: string, fallback: number | null): number {
  if (value === undefined) {
    if (fallback === null) throw new UsageError(`${flag} is required`);
    return fallback;
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a whole number ≥ 1`);
  return n;
}

export async function run(args: string[]): Promise<number> {
  try {
    const { positionals, values } = parseCommandArgs(args, {
      rows: 'string', clients: 'string', batch: 'string', via: 'string', entity: 'string', seed: 'string', today: 'string', refs: 'string', 'database-url': 'string', format: 'string',
    });
    if (values.help || positionals.length === 0) {
      process.stderr.write(USAGE);
      return values.help ? 0 : 1;
    }
    const rows = positiveInt(values.rows, '--rows', null);
    const clients = positiveInt(values.clients, '--clients', 4);
    const batchSize = positiveInt(values.batch, '--batch', 1000);
    const refs = positiveInt(values.refs, '--refs', 100);
    const via = (values.via as string | undefined) ?? 'copy';
    if (via !== 'copy' && via !== 'function') throw new UsageError('--via is copy or function');
    const format = (values.format as string | undefined) ?? 'text';
    if (!['text', 'json'].includes(format)) throw new UsageError('--format is text or json');
    let seed: number;
    if (values.seed === undefined) seed = Math.floor(Math.random() * 2 ** 31);
    else {
      seed = Number(values.seed);
      if (!Number.isInteger(seed) || seed < 0) throw new UsageError('--seed takes a whole number ≥ 0');
    }
    const today = dateOption(values.today, '--today') ?? todayUtc();
    const specs = await loadOrReport(positionals);
    if (!specs) return 1;
    const named = values.entity as string | undefined;
    const entities = named
      ? specs.entities.filter((e) => e.entity === named)
      : specs.entities.filter((e) => e.actions.length > 0 && (via === 'copy' || e.actions.some((a) => a.kind === 'bulk_operation')));
    if (named && entities.length === 0) throw new UsageError(`no entity named ${named} (known: ${specs.entities.map((e) => e.entity).join(', ')})`);
    if (entities.length === 0) throw new UsageError('no entity with actions to load: name one with --entity');
    const target = await resolveDatabase(values['database-url'] as string | undefined);
    try {
      process.stderr.write(`specql load-test: database ${target.source}, seed ${seed}\n`);
      const reports: LoadTestReport[] = [];
      for (const entity of entities) {
        const bar = progressBar(rows);
        const report = await runLoadTest({
          databaseUrl: target.url, entity, rows, clients, batchSize, via: via as LoadVia, seed, today, refs, onProgress: (n) => bar.update(n),
        });
        bar.finish();
        reports.push(report);
        if (format === 'text') process.stdout.write(loadTestText(report));
      }
      if (format === 'json') process.stdout.write(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
      return 0;
    } finally {
      await target.close();
    }
  } catch (err) {
    process.stderr.write(`specql load-test: ${(err as Error).message}\n${err instanceof UsageError ? USAGE : ''}`);
    return 1;
  }
}
