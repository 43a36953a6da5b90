/**
 * `specql plan <path…> [--database-url URL] [--format text|json|markdown]
 *  [--detailed-exitcode] [--today YYYY-MM-DD]`
 * Exit 0 (with --detailed-exitcode: 0 no changes, 2 changes); 1 on errors.
 */
import { renderDiagnostic } from '../../diagnostics/render';
import { resolveDatabase } from '../../db/target';
import { planSpecs } from '../../engine';
import { formatPlanJson } from '../../plan/format/json';
import { formatPlanMarkdown } from '../../plan/format/markdown';
import { formatPlanText } from '../../plan/format/text';
import { csv, dateOption, loadOrReport, lockTimeoutOption, numberOption, parseCommandArgs, UsageError } from '../args';

const USAGE = 'usage: specql plan <path…> [--database-url URL] [--format text|json|markdown] [--detailed-exitcode] [--today YYYY-MM-DD] [--premake N] [--retention N] [--entities A,B] [--lock-timeout MS]\n';

export async function run(args: string[]): Promise<number> {
  try {
    const { positionals, values } = parseCommandArgs(args, {
      'database-url': 'string', format: 'string', 'detailed-exitcode': 'boolean', today: 'string', premake: 'string', retention: 'string', entities: 'string', 'lock-timeout': 'string',
    });
    if (values.help || positionals.length === 0) {
      process.stderr.write(USAGE);
      return values.help ? 0 : 1;
    }
    const format = (values.format as string | undefined) ?? 'text';
    if (!['text', 'json', 'markdown'].includes(format)) throw new UsageError('--format is text, json or markdown');
    const today = dateOption(values.today, '--today');
    const specs = await loadOrReport(positionals);
    if (!specs) return 1;
    const target = await resolveDatabase(values['database-url'] as string | undefined);
    try {
      const { plan } = await planSpecs(specs, {
        databaseUrl: target.url,
        ...(today ? { today } : {}),
        ...numberOption(values.premake, 'premake'),
        ...numberOption(values.retention, 'retention'),
        ...(csv(values.entities).length ? { entities: csv(values.entities) } : {}),
        ...lockTimeoutOption(values['lock-timeout']),
      });
      const text = format === 'json' ? formatPlanJson(plan) : format === 'markdown' ? formatPlanMarkdown(plan) : formatPlanText(plan);
      process.stdout.write(text);
      if (format === 'text') for (const d of plan.diagnostics.filter((x) => x.severity === 'error')) process.stderr.write(`${renderDiagnostic(d)}\n`);
      if (plan.diagnostics.some((d) => d.severity === 'error')) return 1;
      return values['detailed-exitcode'] && plan.steps.length > 0 ? 2 : 0;
    } finally {
      await target.close();
    }
  } catch (err) {
    process.stderr.write(`specql plan: ${(err as Error).message}\n${err instanceof UsageError ? USAGE : ''}`);
    return 1;
  }
}
