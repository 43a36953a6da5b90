import { cronForSeconds, refreshSchedule } from '../../src/spec/refresh';
import { extensionForColumn } from '../../src/desired/extensions';

test('refresh intervals convert to exact cron expressions', () => {
  // Spec text → seconds by the loader's rules, then seconds → cron here.
  const cron = (text: string): string | null => cronForSeconds(refreshSchedule(text)!.seconds);
  expect(cron('1 hour')).toBe('0 * * * *');
  expect(cron('15 minutes')).toBe('*/15 * * * *');
  expect(cron('1 minute')).toBe('* * * * *');
  expect(cron('6 hours')).toBe('0 */6 * * *');
  expect(cron('1 day')).toBe('0 0 * * *');
  // Mondays, like weekly partitions (date_trunc('week')).
  expect(cron('1 week')).toBe('0 0 * * 1');
  expect(cronForSeconds(30)).toBe('30 seconds');
  expect(cronForSeconds(7 * 60)).toBeNull();
  expect(cronForSeconds(5 * 3600)).toBeNull();
  expect(cronForSeconds(2 * 86_400)).toBeNull();
});

test('GiST/GIN on scalar columns need btree_gist/btree_gin; native types do not', () => {
  expect(extensionForColumn('gist', 'text')).toBe('btree_gist');
  expect(extensionForColumn('gist', 'timestamp with time zone')).toBe('btree_gist');
  expect(extensionForColumn('gist', 'numeric(10,2)')).toBe('btree_gist');
  expect(extensionForColumn('gist', 'tstzrange')).toBeNull();
  expect(extensionForColumn('gist', 'point')).toBeNull();
  expect(extensionForColumn('gin', 'text')).toBe('btree_gin');
  expect(extensionForColumn('gin', 'text[]')).toBeNull();
  expect(extensionForColumn('gin', 'jsonb')).toBeNull();
  expect(extensionForColumn('btree', 'text')).toBeNull();
});
