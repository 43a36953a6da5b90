import { addIntervals, intervalStart, partitionWindow } from '../../src/desired/window';

const froms = (w: ReturnType<typeof partitionWindow>): string[] => w.ranges.map((r) => r.from);

test('monthly, today 2024-03-15, premake 3: January (start) through June, window [2024-01-01, 2024-07-01)', () => {
  const w = partitionWindow({ interval: 'monthly', start: '2024-01-01', premake: 3, retention: 36, today: '2024-03-15' });
  expect(froms(w)).toEqual(['2024-01-01', '2024-02-01', '2024-03-01', '2024-04-01', '2024-05-01', '2024-06-01']);
  expect([w.from, w.to, w.retentionCutoff]).toEqual(['2024-01-01', '2024-07-01', '2021-03-01']);
});

test('retention moves the lower end once start is older than the cutoff', () => {
  const w = partitionWindow({ interval: 'monthly', start: '2024-01-01', premake: 1, retention: 2, today: '2024-12-31' });
  expect(froms(w)).toEqual(['2024-10-01', '2024-11-01', '2024-12-01', '2025-01-01']);
  expect(w.to).toBe('2025-02-01');
});

test('weekly partitions start on Monday (date_trunc week), daily and yearly align too', () => {
  expect(intervalStart('weekly', '2024-03-10')).toBe('2024-03-04'); // a Sunday
  expect(intervalStart('weekly', '2024-03-11')).toBe('2024-03-11'); // a Monday
  expect(intervalStart('yearly', '2024-03-10')).toBe('2024-01-01');
  expect(intervalStart('daily', '2024-02-29')).toBe('2024-02-29');
  const weekly = partitionWindow({ interval: 'weekly', start: '2024-02-28', premake: 1, retention: null, today: '2024-03-10' });
  expect(froms(weekly)).toEqual(['2024-02-26', '2024-03-04', '2024-03-11']);
  const daily = partitionWindow({ interval: 'daily', start: '2024-02-27', premake: 2, retention: 1, today: '2024-02-29' });
  expect(froms(daily)).toEqual(['2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02']);
  const yearly = partitionWindow({ interval: 'yearly', start: '2020-01-01', premake: 0, retention: null, today: '2022-07-01' });
  expect(froms(yearly)).toEqual(['2020-01-01', '2021-01-01', '2022-01-01']);
});

test('month arithmetic crosses years; a start after the window gives no partitions', () => {
  expect(addIntervals('monthly', '2024-11-01', 3)).toBe('2025-02-01');
  expect(addIntervals('monthly', '2024-01-01', -36)).toBe('2021-01-01');
  const none = partitionWindow({ interval: 'monthly', start: '2030-01-01', premake: 1, retention: null, today: '2024-03-15' });
  expect(none.ranges).toEqual([]);
});

test('invalid dates are rejected', () => {
  expect(() => intervalStart('daily', '2024-02-30')).toThrow(/not a calendar date/);
  expect(() => intervalStart('daily', 'yesterday')).toThrow(/YYYY-MM-DD/);
});
