/**
 * When a scheduled task is due. Cron expressions (GMT, as pg_cron reads them)
 * are evaluated by the croner library; pg_cron's own `N seconds` form is a
 * plain interval, aligned to the epoch so that every worker computes the same
 * slots.
 *
 * A task is due when its last successful run started before the most recent
 * slot: a worker that was down for three slots runs the task once, not three
 * times, and a run that another worker already made for the slot counts.
 */
import { Cron } from 'croner';

const SECONDS = /^(\d+) seconds?$/;

function cronOf(expression: string): Cron {
  return new Cron(expression, { timezone: 'UTC', paused: true });
}

/** The most recent scheduled time at or before `now`. */
export function lastSlot(expression: string, now: Date): Date {
  const seconds = SECONDS.exec(expression);
  if (seconds) {
    const step = Number(seconds[1]) * 1000;
    return new Date(Math.floor(now.getTime() / step) * step);
  }
  const [previous] = cronOf(expression).previousRuns(1, new Date(now.getTime() + 1));
  if (!previous) throw new Error(`cron expression "${expression}" has no run before ${now.toISOString()}`);
  return previous;
}

/** The first scheduled time after `now`. */
export function nextSlot(expression: string, now: Date): Date {
  const seconds = SECONDS.exec(expression);
  if (seconds) {
    const step = Number(seconds[1]) * 1000;
    return new Date((Math.floor(now.getTime() / step) + 1) * step);
  }
  const next = cronOf(expression).nextRun(now);
  if (!next) throw new Error(`cron expression "${expression}" has no run after ${now.toISOString()}`);
  return next;
}

/** Due when never run, or when the last successful run started before the latest slot. */
export function isDue(expression: string, lastRun: Date | null, now: Date): boolean {
  return lastRun === null || lastRun.getTime() < lastSlot(expression, now).getTime();
}
