/** When a scheduled task is due: cron slots from croner (GMT), pg_cron's `N seconds` as an epoch-aligned interval. */
import { isDue, lastSlot, nextSlot } from '../../src/worker/schedule';
import { createLogger } from '../../src/worker/log';

const at = (iso: string): Date => new Date(iso);

test('hourly: the latest slot at or before now, and the next one', () => {
  expect(lastSlot('0 * * * *', at('2024-05-10T12:30:00Z'))).toEqual(at('2024-05-10T12:00:00Z'));
  expect(lastSlot('0 * * * *', at('2024-05-10T12:00:00Z'))).toEqual(at('2024-05-10T12:00:00Z'));
  expect(nextSlot('0 * * * *', at('2024-05-10T12:00:00Z'))).toEqual(at('2024-05-10T13:00:00Z'));
});

test('weekly views refresh on Mondays 00:00 GMT; daily maintenance at 00:05', () => {
  expect(lastSlot('0 0 * * 1', at('2024-05-10T12:00:00Z'))).toEqual(at('2024-05-06T00:00:00Z'));
  expect(nextSlot('5 0 * * *', at('2024-05-10T00:04:59Z'))).toEqual(at('2024-05-10T00:05:00Z'));
});

test('pg_cron seconds: slots every N seconds from the epoch, the same for every worker', () => {
  expect(lastSlot('30 seconds', at('2024-05-10T12:00:47Z'))).toEqual(at('2024-05-10T12:00:30Z'));
  expect(nextSlot('30 seconds', at('2024-05-10T12:00:47Z'))).toEqual(at('2024-05-10T12:01:00Z'));
});

test('due when never run, or when the last run started before the latest slot; a late worker runs once', () => {
  expect(isDue('0 * * * *', null, at('2024-05-10T12:30:00Z'))).toBe(true);
  expect(isDue('0 * * * *', at('2024-05-10T12:00:01Z'), at('2024-05-10T12:30:00Z'))).toBe(false);
  expect(isDue('0 * * * *', at('2024-05-10T11:59:59Z'), at('2024-05-10T12:30:00Z'))).toBe(true);
  // Down from 09:10 to 12:30: due now, and once run at 12:30 not due again until 13:00.
  expect(isDue('0 * * * *', at('2024-05-10T09:10:00Z'), at('2024-05-10T12:30:00Z'))).toBe(true);
  expect(isDue('0 * * * *', at('2024-05-10T12:30:00Z'), at('2024-05-10T12:59:59Z'))).toBe(false);
});

test('log lines: text for people, one JSON object per line with --log-format json', () => {
  const lines: string[] = [];
  createLogger('json', (l) => lines.push(l))({ level: 'info', event: 'drain', target: 'a.q', rows: 3, ms: 5, batches: 1 });
  createLogger('text', (l) => lines.push(l))({ level: 'error', event: 'refresh', target: 'a.v', error: 'boom' });
  expect(lines[0]!.endsWith('\n')).toBe(true);
  expect(JSON.parse(lines[0]!)).toEqual({ time: expect.any(String), level: 'info', event: 'drain', target: 'a.q', rows: 3, ms: 5, batches: 1 });
  expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z ERROR refresh a\.v error: boom\n$/);
});
