/**
 * Refresh intervals → seconds and cron expressions. pg_cron reads cron times
 * in GMT; only intervals a cron expression reproduces exactly are accepted
 * (an `every 7 hours` cron would reset at midnight, which is not "every 7 hours").
 */

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  second: 1,
  minute: 60,
  hour: 3600,
  day: 86_400,
  week: 604_800,
};

/** `1 hour`, `15 minutes`, `1 day`, `1 week` → seconds; null when not understood. */
export function intervalSeconds(text: string): number | null {
  const match = /^\s*(\d+)\s*(second|minute|hour|day|week)s?\s*$/i.exec(text);
  if (!match) return null;
  const count = Number(match[1]);
  const unit = UNIT_SECONDS[match[2]!.toLowerCase()]!;
  return count > 0 ? count * unit : null;
}

/**
 * The cron expression that fires every `seconds`: `1 hour` → `0 * * * *`,
 * `N minutes` → `*\/N * * * *`, `1 day` → `0 0 * * *`, `1 week` → `0 0 * * 1`
 * (Mondays, 00:00 GMT). pg_cron's own `N seconds` form covers 1–59 s.
 * Null when cron cannot express the interval exactly.
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
