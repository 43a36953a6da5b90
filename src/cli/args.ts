/**
 * A small argument parser for the commands, on top of node:util parseArgs
 * (no dependency): `--name value`, `--name=value`, boolean flags, positionals.
 * Unknown options are errors, reported in the same words for every command.
 */
import { inRange, RANGES, rangeText, TEXT_RANGES } from '../spec/limits';
import { parseArgs } from 'node:util';
import { hasErrors } from '../diagnostics/diagnostic';
import { renderDiagnostic } from '../diagnostics/render';
import { parseDuration } from '../engine';
import { loadAndCheckSpecs } from '../engine/check';
import type { SpecSet } from '../spec/model';

export type OptionKind = 'string' | 'boolean';

export interface ParsedArgs {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | undefined>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseCommandArgs(args: readonly string[], options: Readonly<Record<string, OptionKind>>): ParsedArgs {
  const config = Object.fromEntries(Object.entries(options).map(([name, type]) => [name, { type }]));
  try {
    const parsed = parseArgs({ args: [...args], options: { ...config, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { positionals: parsed.positionals, values: parsed.values as Record<string, string | boolean | undefined> };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `a,b , c` → ['a','b','c']. */
export const csv = (value: string | boolean | undefined): string[] =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];

export function dateOption(value: string | boolean | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new UsageError(`${flag} takes a date YYYY-MM-DD`);
  return value;
}

/** Loads specs and prints their diagnostics; null when there are errors. */
/** Loads and checks specs (engine/check.ts), printing every diagnostic; null when any is an error. */
export async function loadOrReport(paths: string[]): Promise<SpecSet | null> {
  const { specs, diagnostics } = await loadAndCheckSpecs(paths);
  for (const d of diagnostics) process.stderr.write(`${renderDiagnostic(d)}\n`);
  return hasErrors(diagnostics) ? null : specs;
}

export function numberOption(value: string | boolean | undefined, name: 'premake' | 'retention'): { premake?: number; retention?: number | null } {
  if (value === undefined) return {};
  if (name === 'retention' && value === 'none') return { retention: null };
  const n = Number(value);
  // The same ranges as the spec's `premake` and `retention` (src/spec/limits.ts).
  const range = name === 'premake' ? RANGES.premake : TEXT_RANGES.retention_partitions;
  if (typeof value !== 'string' || value.trim() === '' || !inRange(n, range)) {
    throw new UsageError(`--${name} takes ${rangeText(range)}${name === 'retention' ? ' or "none"' : ''}, not ${JSON.stringify(value)}`);
  }
  return { [name]: n };
}


/** Exit code of apply/maintain when the wait for another apply's lock ran out (distinct from 1, a failure of the apply itself). */
export const EXIT_LOCK_WAIT_TIMEOUT = 3;

/** `--lock-wait 90s|2m|500ms|N` (seconds): how long to wait for another apply's lock. */
export function lockWaitOption(value: string | boolean | undefined): { lockWaitMs?: number } {
  if (value === undefined) return {};
  const ms = typeof value === 'string' ? parseDuration(value) : null;
  if (ms === null) throw new UsageError('--lock-wait takes a duration: 90s, 2m, 500ms, or a number of seconds (0: do not wait)');
  return { lockWaitMs: ms };
}

export function lockTimeoutOption(value: string | boolean | undefined): { lockTimeoutMs?: number } {
  if (value === undefined) return {};
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw new UsageError('--lock-timeout takes milliseconds');
  return { lockTimeoutMs: ms };
}
