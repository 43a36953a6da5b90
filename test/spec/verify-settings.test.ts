/** The `verify:` extension: budgets for specql verify, defaults when absent, every mistake positioned. */
import { DEFAULT_VERIFY, formatDuration, parseDuration } from '../../src/spec/verify-settings';
import { brief, diagnose, doc, entity, loadExpressionParser } from './support';

beforeAll(() => loadExpressionParser());

const base = 'fields:\n  id: uuid\n';

test('absent: the seed\'s own budgets', () => {
  expect(entity(doc(base)).verify).toEqual(DEFAULT_VERIFY);
  expect(DEFAULT_VERIFY).toEqual({ bulkRows: 1000, bulkLoadMs: 1000, queryMs: 1000, refreshMs: 30_000, readerWaitMs: 200, triggerOverhead: 3, clients: 8, clientP99Ms: 1000 });
});

test('every key overrides its default; the others keep theirs', () => {
  const e = entity(doc(`${base}verify:\n  bulk_rows: 5000\n  bulk_load: 2.5 s\n  query: 250 ms\n  refresh: 2 minutes\n  reader_wait: 50ms\n  trigger_overhead: 1.5\n  clients: 16\n  client_p99: 0.5 seconds\n`));
  expect(e.verify).toEqual({ bulkRows: 5000, bulkLoadMs: 2500, queryMs: 250, refreshMs: 120_000, readerWaitMs: 50, triggerOverhead: 1.5, clients: 16, clientP99Ms: 500 });
  expect(entity(doc(`${base}verify:\n  refresh: 45 s\n`)).verify).toEqual({ ...DEFAULT_VERIFY, refreshMs: 45_000 });
});

test('a malformed duration is an error at its value, with the form to use', () => {
  const [d] = diagnose(doc(`${base}verify:\n  refresh: soon\n`));
  expect(brief(d!)).toBe('verify.duration@6:12');
  expect(d!.message).toBe('`verify.refresh` `soon` is not a duration.');
  expect(d!.hint).toMatch(/`250 ms` or `30 s`/);
});

test('unknown keys get a suggestion; out-of-range numbers are errors', () => {
  const [unknown] = diagnose(doc(`${base}verify:\n  refesh: 30 s\n`));
  expect(brief(unknown!)).toBe('spec.unknown_key@6:3');
  expect(unknown!.hint ?? unknown!.message).toMatch(/refresh/);
  expect(diagnose(doc(`${base}verify:\n  trigger_overhead: 0.5\n`)).map(brief)).toEqual(['spec.out_of_range@6:21']);
  expect(diagnose(doc(`${base}verify:\n  clients: 0\n`)).map(brief)).toEqual(['spec.out_of_range@6:12']);
});

test('durations parse and print both ways', () => {
  expect(parseDuration('250 ms')).toBe(250);
  expect(parseDuration('1 minute')).toBe(60_000);
  expect(parseDuration('0.001 ms')).toBe(0.001);
  expect(parseDuration('fast')).toBeNull();
  expect(parseDuration('3 hours')).toBeNull();
  expect(formatDuration(30_000)).toBe('30 s');
  expect(formatDuration(250)).toBe('250 ms');
});
