/**
 * Materialized view refresh intervals. Only intervals that a cron schedule can
 * express exactly are accepted (pg_cron runs on wall-clock boundaries, so
 * "every 7 minutes" would drift at each hour).
 */
export interface RefreshSchedule {
  readonly seconds: number;
  /** Five-field cron expression, in GMT as pg_cron uses. */
  readonly cron: string;
}

export function refreshSchedule(text: string): RefreshSchedule | null {
  const match = /^\s*(\d+)\s*(minute|min|hour|day|week)s?\s*$/i.exec(text);
  if (!match) return null;
  const n = Number(match[1]);
  const unit = match[2].toLowerCase();
  if (n < 1) return null;
  if (unit === 'minute' || unit === 'min') {
    if (60 % n !== 0) return null;
    return { seconds: n * 60, cron: n === 60 ? '0 * * * *' : n === 1 ? '* * * * *' : `*/${n} * * * *` };
  }
  if (unit === 'hour') {
    if (24 % n !== 0) return null;
    return { seconds: n * 3600, cron: n === 24 ? '0 0 * * *' : n === 1 ? '0 * * * *' : `0 */${n} * * *` };
  }
  if (unit === 'day') return n === 1 ? { seconds: 86400, cron: '0 0 * * *' } : null;
  return n === 1 ? { seconds: 7 * 86400, cron: '0 0 * * 0' } : null;
}

/** The cron expression for a validated view's `refreshSeconds`. */
export function cronForSeconds(seconds: number): string {
  if (seconds % (7 * 86400) === 0) return '0 0 * * 0';
  if (seconds % 86400 === 0) return '0 0 * * *';
  if (seconds % 3600 === 0) return seconds === 3600 ? '0 * * * *' : `0 */${seconds / 3600} * * *`;
  const minutes = seconds / 60;
  return minutes === 1 ? '* * * * *' : `*/${minutes} * * * *`;
}
