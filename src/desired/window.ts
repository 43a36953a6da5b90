/**
 * The partition window: which range partitions the desired state holds for a
 * given "today". Pure date arithmetic in UTC on `YYYY-MM-DD` strings; the
 * clock is never read here (today is an input, for determinism).
 */
import type { PartitionInterval } from '../spec/model';

const DAY_MS = 86_400_000;

function parseDate(value: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!match) throw new Error(`expected a YYYY-MM-DD date, got "${value}"`);
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (date.toISOString().slice(0, 10) !== match[0]) throw new Error(`not a calendar date: "${value}"`);
  return date;
}

const formatDate = (date: Date): string => date.toISOString().slice(0, 10);

/** Start of the interval containing `day` (weeks start on Monday, as date_trunc('week') does). */
export function intervalStart(interval: PartitionInterval, day: string): string {
  const d = parseDate(day);
  switch (interval) {
    case 'daily':
      return formatDate(d);
    case 'weekly': {
      const sinceMonday = (d.getUTCDay() + 6) % 7;
      return formatDate(new Date(d.getTime() - sinceMonday * DAY_MS));
    }
    case 'monthly':
      return formatDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)));
    case 'yearly':
      return formatDate(new Date(Date.UTC(d.getUTCFullYear(), 0, 1)));
  }
}

/** `day` moved by `count` whole intervals (negative moves back); `day` must be interval-aligned. */
export function addIntervals(interval: PartitionInterval, day: string, count: number): string {
  const d = parseDate(day);
  switch (interval) {
    case 'daily':
      return formatDate(new Date(d.getTime() + count * DAY_MS));
    case 'weekly':
      return formatDate(new Date(d.getTime() + count * 7 * DAY_MS));
    case 'monthly':
      return formatDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + count, d.getUTCDate())));
    case 'yearly':
      return formatDate(new Date(Date.UTC(d.getUTCFullYear() + count, d.getUTCMonth(), d.getUTCDate())));
  }
}

/** `2024-01-01` → `2024-01-01T00:00:00Z`, the bound form of the object model. */
export const boundOf = (day: string): string => `${day}T00:00:00Z`;

export interface WindowInput {
  readonly interval: PartitionInterval;
  /** First partition's lower bound (spec `start`). */
  readonly start: string;
  readonly premake: number;
  readonly retention: number | null;
  readonly today: string;
}

export interface PartitionWindow {
  /** Inclusive lower bound of the first partition, `YYYY-MM-DD`. */
  readonly from: string;
  /** Exclusive upper bound of the last partition, `YYYY-MM-DD`. */
  readonly to: string;
  /** Partitions older than this (upper bound ≤ cutoff) are archived; null keeps all. */
  readonly retentionCutoff: string | null;
  /** Each partition's [from, to), oldest first. */
  readonly ranges: readonly { readonly from: string; readonly to: string }[];
}

/**
 * Partitions covering [from, to): from = max(start, start of the interval
 * `retention` intervals before today's), to = end of the interval `premake`
 * intervals after today's. With today 2024-03-15, monthly, premake 3: March
 * plus April, May, June, so to = 2024-07-01.
 */
export function partitionWindow(input: WindowInput): PartitionWindow {
  const current = intervalStart(input.interval, input.today);
  const start = intervalStart(input.interval, input.start);
  const retentionCutoff = input.retention === null ? null : addIntervals(input.interval, current, -input.retention);
  const from = retentionCutoff !== null && retentionCutoff > start ? retentionCutoff : start;
  const to = addIntervals(input.interval, current, input.premake + 1);
  const ranges: { from: string; to: string }[] = [];
  for (let lower = from; lower < to; ) {
    const upper = addIntervals(input.interval, lower, 1);
    ranges.push({ from: lower, to: upper });
    lower = upper;
  }
  return { from, to: ranges.length > 0 ? to : from, retentionCutoff, ranges };
}
