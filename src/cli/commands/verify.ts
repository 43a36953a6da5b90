/**
 * `specql verify <path…> [--database-url URL] [--format tap|json] [--entities A,B] [--only kind,…] [--premake N]`
 * Derives the performance and structural checks from the specs, runs them
 * against the live database and prints TAP (or JSON). Leaves no data behind.
 * Exit 0 when every check passes, 1 otherwise.
 */
import { resolveDatabase } from '../../db/target';
import { withClient } from '../../db/connection';
import { deriveChecks } from '../../verify/derive';
import { pgTapStatus, runChecks } from '../../verify/run';
import { CHECK_KINDS, type CheckKind } from '../../verify/types';
import { pgTapNote, tapFooter, tapHeader, tapLine, verifyJson } from '../../verify/tap';
import { csv, loadOrReport, numberOption, parseCommandArgs, UsageError } from '../args';

const USAGE = 'usage: specql verify <path…> [--database-url URL] [--format tap|json] [--entities A,B] [--only kind,kind] [--premake N]\n';

export async function run(args: string[]): Promise<number> {
  try {
    const { positionals, values } = parseCommandArgs(args, { 'database-url': 'string', format: 'string', entities: 'string', only: 'string', premake: 'string' });
    if (values.help || positionals.length === 0) {
      process.stderr.write(USAGE);
      return values.help ? 0 : 1;
    }
    const format = (values.format as string | undefined) ?? 'tap';
    if (!['tap', 'json'].includes(format)) throw new UsageError('--format is tap or json');
    const { premake } = numberOption(values.premake, 'premake');
    const specs = await loadOrReport(positionals);
    if (!specs) return 1;
    const entities = csv(values.entities);
    const unknown = entities.filter((e) => !specs.entities.some((s) => s.entity === e));
    if (unknown.length) throw new UsageError(`unknown entit${unknown.length === 1 ? 'y' : 'ies'}: ${unknown.join(', ')}`);
    const kinds = csv(values.only);
    const badKinds = kinds.filter((k) => !(CHECK_KINDS as readonly string[]).includes(k));
    if (badKinds.length) throw new UsageError(`unknown check kind(s) ${badKinds.join(', ')}; known: ${CHECK_KINDS.join(', ')}`);
    const checks = deriveChecks(specs, {
      ...(entities.length ? { entities } : {}),
      ...(premake !== undefined ? { premake } : {}),
      ...(kinds.length ? { kinds: kinds as CheckKind[] } : {}),
    });
    const schemas = [...new Set(specs.entities.filter((e) => !entities.length || entities.includes(e.entity)).map((e) => e.schema))].sort();
    const target = await resolveDatabase(values['database-url'] as string | undefined);
    try {
      const pgTap = await withClient(target.url, pgTapStatus);
      const notes = [`specql verify: ${checks.length} checks (database: ${target.source})`, pgTapNote(pgTap, schemas)];
      if (format === 'tap') process.stdout.write(tapHeader(checks.length, notes));
      const { results } = await runChecks(target.url, checks, (r) => {
        if (format === 'tap') process.stdout.write(tapLine(r));
      });
      process.stdout.write(format === 'tap' ? tapFooter(results) : verifyJson(results, pgTap, notes));
      return results.every((r) => r.ok) ? 0 : 1;
    } finally {
      await target.close();
    }
  } catch (err) {
    process.stderr.write(`specql verify: ${(err as Error).message}\n${err instanceof UsageError ? USAGE : ''}`);
    return 1;
  }
}
