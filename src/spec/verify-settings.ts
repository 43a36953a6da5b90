/**
 * The `verify:` extension of an entity: the budgets `specql verify` and the
 * pgTAP performance tests hold the entity to. Every key is optional; the
 * defaults are the seed's own promises (1,000 rows in under 1 s, sub-second
 * analytics queries, a view refresh under 30 s, 8 concurrent clients).
 *
 * Durations are written `<number> ms|s|seconds|minutes` (`250 ms`, `1 s`,
 * `30 seconds`); a malformed one is reported at its exact position.
 */
import { z } from 'zod';
import type { Diagnostic, SourcePosition } from '../diagnostics/diagnostic';
import { isMap, type Raw, type Report } from './build-support';
import { inRange, RANGES, rangeText, TEXT_RANGES } from './limits';
import type { VerifySpec } from './model';
import { positionOf, type SpecDocument } from './yaml-source';

export const DEFAULT_VERIFY: VerifySpec = {
  bulkRows: 1000,
  bulkLoadMs: 1000,
  queryMs: 1000,
  refreshMs: 30_000,
  readerWaitMs: 200,
  triggerOverhead: 3,
  clients: 8,
  clientP99Ms: 1000,
};

const duration = (text: string) =>
  z.string().meta({ examples: ['250 ms', '1 s', '30 seconds'] }).optional().describe(`${text} A duration: \`<number> ms|s|seconds|minutes\`, from 0.001 ms to 60 minutes.`);

const rangedNumber = (range: { min: number; max: number; integer: boolean }) => (range.integer ? z.number().int() : z.number()).min(range.min).max(range.max);

export const VerifySchema = z
  .strictObject({
    bulk_rows: rangedNumber(RANGES.bulk_rows).optional().describe(`Rows each bulk check loads (default 1000; ${rangeText(RANGES.bulk_rows)}).`),
    bulk_load: duration('Budget for loading `bulk_rows` rows through each bulk function (default 1 s).'),
    query: duration('Budget for each analytics query the spec implies (default 1 s).'),
    refresh: duration('Budget for one REFRESH MATERIALIZED VIEW of the entity\'s view (default 30 s).'),
    reader_wait: duration('Longest a reader may wait while one partition\'s index is rebuilt concurrently (default 200 ms).'),
    trigger_overhead: rangedNumber(RANGES.trigger_overhead)
      .optional()
      .describe(`Largest allowed ratio of per-row insert time with the workflow trigger to without it (default 3; ${rangeText(RANGES.trigger_overhead)}).`),
    clients: rangedNumber(RANGES.clients).optional().describe(`Concurrent clients of the concurrent-insert check (default 8; ${rangeText(RANGES.clients)}).`),
    client_p99: duration('Budget for the 99th percentile insert latency under concurrent load (default 1 s).'),
  })
  .describe('Extension: budgets for `specql verify` and the pgTAP performance tests; every key is optional.');

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, millisecond: 1, milliseconds: 1, s: 1000, sec: 1000, second: 1000, seconds: 1000, min: 60_000, minute: 60_000, minutes: 60_000 };

/** `250 ms` → 250, `1.5 s` → 1500, `2 minutes` → 120000; null when not a duration. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(text);
  if (!match) return null;
  const unit = UNIT_MS[match[2]!.toLowerCase()];
  return unit === undefined ? null : Number(match[1]) * unit;
}

/** `1500` → `1.5 s`, `250` → `250 ms`: how budgets are printed. */
export function formatDuration(ms: number): string {
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(3))} s`;
  return `${Number(ms.toFixed(3))} ms`;
}

const durationError = (at: SourcePosition, key: string, written: string): Diagnostic => ({
  code: 'verify.duration',
  severity: 'error',
  message: `\`verify.${key}\` \`${written}\` is not a duration.`,
  hint: 'write `<number> ms`, `<number> s` or `<number> minutes`, e.g. `250 ms` or `30 s`',
  at,
});

const durationRangeError = (at: SourcePosition, key: string, written: string): Diagnostic => ({
  code: 'verify.duration_range',
  severity: 'error',
  message: `\`verify.${key}\` \`${written}\` is out of range: a budget is from 0.001 ms to 60 minutes.`,
  hint: 'e.g. `250 ms` or `30 s`',
  at,
});

const DURATION_KEYS = {
  bulk_load: 'bulkLoadMs',
  query: 'queryMs',
  refresh: 'refreshMs',
  reader_wait: 'readerWaitMs',
  client_p99: 'clientP99Ms',
} as const;

/** The entity's budgets: the defaults, overridden by what `verify:` says. Shape errors are the zod check's. */
export function buildVerify(doc: SpecDocument, raw: Raw, report: Report): VerifySpec {
  const block = raw.verify;
  if (!isMap(block)) return DEFAULT_VERIFY;
  const out: { -readonly [K in keyof VerifySpec]: VerifySpec[K] } = { ...DEFAULT_VERIFY };
  for (const [key, field] of Object.entries(DURATION_KEYS)) {
    const value = block[key];
    if (typeof value !== 'string') continue;
    const ms = parseDuration(value);
    if (ms === null) report(durationError(positionOf(doc, ['verify', key]), key, value));
    else if (!inRange(ms, TEXT_RANGES.duration_ms)) report(durationRangeError(positionOf(doc, ['verify', key]), key, value));
    else out[field] = ms;
  }
  // Out-of-range numbers were reported by the shape check (the schema carries the ranges); defaults stay.
  const ok = (v: unknown, range: (typeof RANGES)[keyof typeof RANGES]): v is number => typeof v === 'number' && inRange(v, range);
  if (ok(block.bulk_rows, RANGES.bulk_rows)) out.bulkRows = block.bulk_rows;
  if (ok(block.trigger_overhead, RANGES.trigger_overhead)) out.triggerOverhead = block.trigger_overhead;
  if (ok(block.clients, RANGES.clients)) out.clients = block.clients;
  return out;
}
