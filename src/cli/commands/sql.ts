/**
 * `specql sql <path…> [--today YYYY-MM-DD]`: prints the complete DDL for a
 * fresh database. The output depends only on the specs and the date, so two
 * runs with the same --today are byte-identical.
 */
import { loadAndCheckSpecs } from '../../engine/check';
import { hasErrors } from '../../diagnostics/diagnostic';
import { renderDiagnostic } from '../../diagnostics/render';
import { buildDesired } from '../../desired/build';
import { renderScript } from '../../plan/script';

const USAGE = 'usage: specql sql <path...> [--today YYYY-MM-DD]\n';

interface SqlArgs {
  readonly paths: string[];
  readonly today: string;
}

/** Today's date in UTC: the only place the clock is read (the core takes it as an input). */
const utcToday = (): string => new Date().toISOString().slice(0, 10);

function parseArgs(args: string[]): SqlArgs | string {
  const paths: string[] = [];
  let today = utcToday();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--today' || arg.startsWith('--today=')) {
      const value = arg === '--today' ? args[++i] : arg.slice('--today='.length);
      if (value === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
        return `--today expects a date YYYY-MM-DD, got ${value === undefined ? 'nothing' : `"${value}"`}`;
      }
      today = value;
    } else if (arg === '--help' || arg === '-h') {
      return '';
    } else if (arg.startsWith('-')) {
      return `unknown option ${arg}`;
    } else {
      paths.push(arg);
    }
  }
  if (paths.length === 0) return 'no spec paths given';
  return { paths, today };
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    process.stderr.write(parsed === '' ? USAGE : `specql sql: ${parsed}\n${USAGE}`);
    return parsed === '' ? 0 : 1;
  }
  const { specs, diagnostics } = await loadAndCheckSpecs(parsed.paths);
  if (diagnostics.length > 0) process.stderr.write(`${diagnostics.map(renderDiagnostic).join('\n')}\n`);
  if (hasErrors(diagnostics)) return 1;
  let script: string;
  try {
    script = renderScript(buildDesired(specs, { today: parsed.today }));
  } catch (error) {
    process.stderr.write(`specql sql: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(script);
  return 0;
}
