/**
 * Materialized view refresh intervals: the one place that decides what an
 * interval means as seconds and as a cron expression. Only intervals that a
 * cron schedule reproduces exactly are accepted (pg_cron runs on wall-clock
 * boundaries in GMT, so "every 7 minutes" would reset at each hour and
 * "every 5 hours" at midnight).
 */
export interface RefreshSchedule {
  readonly seconds: number;
  /** Five-field cron expression (or pg_cron's `N seconds`), in GMT as pg_cron uses. */
  readonly cron: string;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { second: 1, sec: 1, minute: 60, min: 60, hour: 3600, day: 86_400, week: 604_800 };

export function refreshSchedule(text: string): RefreshSchedule | null {
  const match = /^\s*(\d+)\s*(second|sec|minute|min|hour|day|week)s?\s*$/i.exec(text);
  if (!match) return null;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2]!.toLowerCase()]!;
  const cron = cronForSeconds(seconds);
  return cron === null ? null : { seconds, cron };
}

/**
 * The cron expression that fires every `seconds`: `1 hour` → `0 * * * *`,
 * `N minutes` → `*\/N * * * *`, `1 day` → `0 0 * * *`, `1 week` → `0 0 * * 1`
 * (Mondays 00:00 GMT, like weekly partitions). pg_cron's own `N seconds` form
 * covers 1–59 s. Null when cron cannot express the interval exactly.
 */
export function cronForSeconds(seconds: number): string | null {
  if (seconds >= 1 && seconds < 60) return `${seconds} seconds`;
  if (seconds === 604_800) return '0 0 * * 1';
  if (seconds === 86_400) return '0 0 * * *';
  if (seconds % 3600 === 0) {
    const hours = seconds / 3600;
    if (hours === 1) return '0 * * * *';
    if (24 % hours === 0) return `0 */${hours} * * *`;
    return null;
  }
  if (seconds % 60 === 0) {
    const minutes = seconds / 60;
    if (minutes === 1) return '* * * * *';
    if (60 % minutes === 0) return `*/${minutes} * * * *`;
  }
  return null;
}
