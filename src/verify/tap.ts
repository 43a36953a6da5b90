/** TAP (version 13, one line per check, a YAML block under each failure) and JSON output of `specql verify`. */
import type { CheckResult } from './types';
import type { PgTapStatus } from './run';

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

export function pgTapNote(pgTap: PgTapStatus, schemas: readonly string[]): string {
  const calls = schemas.map((s) => `SELECT * FROM runtests('${s}.performance_test');`).join(' ');
  return pgTap.schema === null
    ? `pgTAP is not installed in this database, so specql verify runs these checks itself. With pgTAP (CREATE EXTENSION pgtap, then specql apply) the in-database checks also run as ${calls}`
    : `pgTAP ${pgTap.version ?? ''} is installed (schema ${pgTap.schema}): specql apply installs the in-database checks as pgTAP tests, ${calls}`;
}

export function tapHeader(total: number, notes: readonly string[]): string {
  return ['TAP version 13', ...notes.map((n) => `# ${oneLine(n)}`), `1..${total}`].join('\n') + '\n';
}

export function tapLine(result: CheckResult): string {
  const line = `${result.ok ? 'ok' : 'not ok'} ${result.number} - ${oneLine(result.description)} # measured ${oneLine(result.measured)}`;
  if (result.ok || result.details.length === 0) return `${line}\n`;
  const yaml = ['  ---', `  measured: ${JSON.stringify(oneLine(result.measured))}`, '  details:', ...result.details.map((d) => `    - ${JSON.stringify(oneLine(d))}`), '  ...'];
  return [line, ...yaml].join('\n') + '\n';
}

export function tapFooter(results: readonly CheckResult[]): string {
  const failed = results.filter((r) => !r.ok).length;
  return `# ${results.length - failed} passed, ${failed} failed\n`;
}

export function verifyJson(results: readonly CheckResult[], pgTap: PgTapStatus, notes: readonly string[]): string {
  const failed = results.filter((r) => !r.ok).length;
  return `${JSON.stringify(
    {
      ok: failed === 0,
      passed: results.length - failed,
      failed,
      pgTap,
      notes,
      checks: results.map((r) => ({
        number: r.number,
        kind: r.kind,
        entity: r.entity,
        description: r.description,
        ok: r.ok,
        measured: r.measured,
        details: r.details,
        durationMs: Math.round(r.durationMs * 10) / 10,
      })),
    },
    null,
    2,
  )}\n`;
}
