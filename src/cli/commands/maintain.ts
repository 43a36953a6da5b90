/**
 * `specql maintain <path…> [--database-url URL] [--today YYYY-MM-DD]`
 * Rolls every partition window forward (creating partitions, moving rows out
 * of DEFAULT, archiving partitions past retention) via the planner, then
 * refreshes the materialized views. Meant for a scheduler when pg_cron is absent.
 */
import { reportText } from '../../apply/report';
import { resolveDatabase } from '../../db/target';
import { ApplyFailedError, HazardsRefusedError } from '../../engine';
import { maintainSpecs } from '../../engine/maintain';
import { LockWaitTimeoutError } from '../../engine';
import { dateOption, EXIT_LOCK_WAIT_TIMEOUT, loadOrReport, parseCommandArgs, UsageError } from '../args';

const USAGE = 'usage: specql maintain <path…> [--database-url URL] [--today YYYY-MM-DD]\n';

export async function run(args: string[]): Promise<number> {
  try {
    const { positionals, values } = parseCommandArgs(args, { 'database-url': 'string', today: 'string' });
    if (values.help || positionals.length === 0) {
      process.stderr.write(USAGE);
      return values.help ? 0 : 1;
    }
    const today = dateOption(values.today, '--today');
    const specs = await loadOrReport(positionals);
    if (!specs) return 1;
    const target = await resolveDatabase(values['database-url'] as string | undefined);
    try {
      const { plan, report } = await maintainSpecs(specs, {
        databaseUrl: target.url,
        ...(today ? { today } : {}),
        onProgress: (msg) => process.stderr.write(`  ${msg}\n`),
      });
      process.stdout.write(plan.steps.length === 0 ? 'Nothing to maintain.\n' : `${reportText(report)}\n`);
      return 0;
    } finally {
      await target.close();
    }
  } catch (err) {
    if (err instanceof HazardsRefusedError || err instanceof ApplyFailedError) {
      process.stderr.write(`specql maintain: ${err.message}\n`);
      return 1;
    }
    if (err instanceof LockWaitTimeoutError) {
      process.stderr.write(`specql maintain: ${err.message}\n`);
      return EXIT_LOCK_WAIT_TIMEOUT;
    }
    process.stderr.write(`specql maintain: ${(err as Error).message}\n${err instanceof UsageError ? USAGE : ''}`);
    return 1;
  }
}
