/**
 * Refresh intervals (already validated to whole seconds by spec/refresh.ts) →
 * cron expressions. pg_cron reads cron times in GMT; only intervals a cron
 * expression reproduces exactly have one (an `every 7 hours` cron would reset
 * at midnight, which is not "every 7 hours").
 */

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
