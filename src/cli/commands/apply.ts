/**
 * `specql apply <path…> [--database-url URL] [--allow-hazards h1,h2] [--format text|json]
 *  [--today YYYY-MM-DD] [--lock-timeout MS] [--lock-wait DURATION]`
 * Plans under the apply lock, refuses blocking hazards unless allowed by
 * name, applies online, and prints the report and the outputs. Progress of
 * long steps goes to stderr. Exit 0 when applied, 3 when another session held
 * the apply lock longer than --lock-wait (default 60s), 1 otherwise.
 */
import { reportText } from '../../apply/report';
import { resolveDatabase } from '../../db/target';
import { ApplyFailedError, applySpecs, HazardsRefusedError, LockWaitTimeoutError } from '../../engine';
import { outputsText } from '../../engine/outputs-text';
import { planToJson } from '../../plan/format/json';
import { isHazardCode } from '../../plan/gate';
import type { HazardCode } from '../../model/step';
import { isConnectionLoss, withClient } from '../../db/connection';
import { installPgTapTests } from '../../verify/pgtap';
import { csv, dateOption, EXIT_LOCK_WAIT_TIMEOUT, loadOrReport, lockWaitOption, numberOption, parseCommandArgs, UsageError } from '../args';

const USAGE =
  'usage: specql apply <path…> [--database-url URL] [--allow-hazards h1,h2] [--format text|json] [--today YYYY-MM-DD] [--premake N] [--retention N] [--entities A,B] [--lock-timeout MS] [--lock-wait 60s]\n';

export async function run(args: string[]): Promise<number> {
  try {
    const { positionals, values } = parseCommandArgs(args, {
      'database-url': 'string', 'allow-hazards': 'string', format: 'string', today: 'string', premake: 'string', retention: 'string', entities: 'string', 'lock-timeout': 'string', 'lock-wait': 'string',
    });
    if (values.help || positionals.length === 0) {
      process.stderr.write(USAGE);
      return values.help ? 0 : 1;
    }
    const format = (values.format as string | undefined) ?? 'text';
    if (!['text', 'json'].includes(format)) throw new UsageError('--format is text or json');
    const allow = csv(values['allow-hazards']);
    const unknown = allow.filter((h) => !isHazardCode(h));
    if (unknown.length) throw new UsageError(`unknown hazard(s): ${unknown.join(', ')}`);
    const lockTimeout = values['lock-timeout'] === undefined ? undefined : Number(values['lock-timeout']);
    if (lockTimeout !== undefined && !(lockTimeout > 0)) throw new UsageError('--lock-timeout takes milliseconds');
    const lockWait = lockWaitOption(values['lock-wait']);
    const today = dateOption(values.today, '--today');
    const specs = await loadOrReport(positionals);
    if (!specs) return 1;
    const target = await resolveDatabase(values['database-url'] as string | undefined);
    try {
      process.stderr.write(`specql apply: database ${target.source}\n`);
      const result = await applySpecs(specs, {
        databaseUrl: target.url,
        allowHazards: allow as HazardCode[],
        onProgress: (msg) => process.stderr.write(`  ${msg}\n`),
        ...(today ? { today } : {}),
        ...(lockTimeout ? { lockTimeoutMs: lockTimeout } : {}),
        ...lockWait,
        ...numberOption(values.premake, 'premake'),
        ...numberOption(values.retention, 'retention'),
        ...(csv(values.entities).length ? { entities: csv(values.entities) } : {}),
      });
      // With the pgtap extension installed, the in-database performance checks become pgTAP tests (src/verify/pgtap.ts).
      const pgTap = await withClient(target.url, (c) => installPgTapTests(c, specs, numberOption(values.premake, 'premake')));
      if (format === 'json') {
        process.stdout.write(`${JSON.stringify({ plan: planToJson(result.plan), report: result.report.results.map((r) => ({ index: r.index, status: r.status, attempts: r.attempts, durationMs: r.durationMs, description: r.step.description })), outputs: result.outputs, pgTap }, null, 2)}\n`);
      } else {
        process.stdout.write(result.plan.steps.length === 0 ? 'No changes: the database matches the specs.\n' : `${reportText(result.report)}\n`);
        for (const d of result.plan.diagnostics) process.stdout.write(`note: ${d.message}\n`);
        process.stdout.write(outputsText(result.outputs));
        if (pgTap.schema !== null) {
          process.stdout.write(`pgTAP: ${pgTap.functions.length} performance test functions in schema ${pgTap.schema}; run ${pgTap.calls.join(' ')}\n`);
        }
      }
      return 0;
    } finally {
      await target.close();
    }
  } catch (err) {
    if (err instanceof HazardsRefusedError) {
      process.stderr.write(`specql apply: ${err.message}\n`);
      return 1;
    }
    if (err instanceof LockWaitTimeoutError) {
      process.stderr.write(`specql apply: ${err.message}\n`);
      return EXIT_LOCK_WAIT_TIMEOUT;
    }
    if (err instanceof ApplyFailedError) {
      process.stderr.write(`specql apply: ${err.message}\n\n${reportText(err.report)}\n`);
      return 1;
    }
    if (isConnectionLoss(err)) {
      process.stderr.write(`specql apply: the database session was lost before any step ran (${(err as Error).message}); nothing was changed by this run. Run apply again.\n`);
      return 1;
    }
    process.stderr.write(`specql apply: ${(err as Error).message}\n${err instanceof UsageError ? USAGE : ''}`);
    return 1;
  }
}
