/** Calendar arithmetic for the partition window: alignment of `start` and retention → interval counts. */
import type { PartitionInterval } from './model';

export const PARTITION_INTERVALS: readonly PartitionInterval[] = ['daily', 'weekly', 'monthly', 'yearly'];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
export const isoDate = (d: Date): string => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** Parses `YYYY-MM-DD` as a real calendar date (rejects 2024-02-30). */
export function parseIsoDate(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return isoDate(date) === text ? date : null;
}

/** The first day of the partition that contains `date`. */
export function alignDown(date: Date, interval: PartitionInterval): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  switch (interval) {
    case 'daily':
      return new Date(Date.UTC(y, m, date.getUTCDate()));
    case 'weekly': {
      const sinceMonday = (date.getUTCDay() + 6) % 7; // ISO weeks start on Monday
      return new Date(Date.UTC(y, m, date.getUTCDate() - sinceMonday));
    }
    case 'monthly':
      return new Date(Date.UTC(y, m, 1));
    case 'yearly':
      return new Date(Date.UTC(y, 0, 1));
  }
}

export type RetentionResult = { ok: true; count: number } | { ok: false; problem: 'format' | 'inexact' };

/** `36 months` with monthly partitions → 36; `2 years` → 24; `90 days` with weekly → not exact. */
export function retentionCount(text: string, interval: PartitionInterval): RetentionResult {
  const match = /^\s*(\d+)\s*(day|week|month|year)s?\s*$/i.exec(text);
  if (!match || Number(match[1]) < 1) return { ok: false, problem: 'format' };
  const n = Number(match[1]);
  const unit = match[2].toLowerCase();
  const exact = (count: number | null): RetentionResult => (count !== null && Number.isInteger(count) ? { ok: true, count } : { ok: false, problem: 'inexact' });
  switch (interval) {
    case 'daily':
      return exact(unit === 'day' ? n : unit === 'week' ? 7 * n : null);
    case 'weekly':
      return exact(unit === 'week' ? n : unit === 'day' ? n / 7 : null);
    case 'monthly':
      return exact(unit === 'month' ? n : unit === 'year' ? 12 * n : null);
    case 'yearly':
      return exact(unit === 'year' ? n : unit === 'month' ? n / 12 : null);
  }
}
