/**
 * The clock stays out of the core (issue 7): a spec without `partitioning.start`
 * loads to the same model, and the same Pulumi spec hash, whatever the date;
 * only the generator, given `today` as an input, turns it into a window.
 */
import { buildDesired } from '../../src/desired/build';
import { specHash } from '../../src/pulumi/provider';
import { loadExpressionParser, loadSpecText } from '../../src/spec/load';

const SPEC = [
  'entity: Reading',
  'schema: iot',
  'fields:',
  '  reading_id: uuid',
  '  taken_at: timestamptz',
  '  value: decimal(10,2)',
  'partitioning:',
  '  strategy: RANGE',
  '  column: taken_at',
  '  intervals: [monthly]',
  '',
].join('\n');

beforeAll(() => loadExpressionParser());
afterEach(() => jest.useRealTimers());

function loadOn(isoDay: string) {
  jest.useFakeTimers({ now: new Date(`${isoDay}T12:00:00Z`) });
  try {
    const { specs, diagnostics } = loadSpecText(SPEC, 'reading.yaml');
    expect(diagnostics).toEqual([]);
    expect(new Date().toISOString().slice(0, 10)).toBe(isoDay); // the clock really was moved
    return specs;
  } finally {
    jest.useRealTimers();
  }
}

test('two clocks, one model and one hash; the window comes from `today` at generation', () => {
  const march = loadOn('2024-03-15');
  const later = loadOn('2026-11-02');
  expect(later).toEqual(march);
  expect(march.entities[0]!.partitioning!.start).toBeNull();
  expect(specHash('Reading', later)).toBe(specHash('Reading', march));

  // The edge resolves the omitted start from its own input, not from the clock.
  const windowOn = (today: string) => buildDesired(march, { today }).entities[0]!.partitionWindow!;
  expect([windowOn('2024-03-15').from, windowOn('2024-03-15').to]).toEqual(['2024-03-01T00:00:00Z', '2024-07-01T00:00:00Z']);
  expect([windowOn('2026-11-02').from, windowOn('2026-11-02').to]).toEqual(['2026-11-01T00:00:00Z', '2027-03-01T00:00:00Z']);
  // Same `today`, same desired state, whichever day the spec was loaded.
  expect(buildDesired(later, { today: '2025-01-10' })).toEqual(buildDesired(march, { today: '2025-01-10' }));
});

test('a written start is kept as written', () => {
  const { specs } = loadSpecText(SPEC.replace('  intervals: [monthly]\n', '  intervals: [monthly]\n  start: 2024-01-01\n'), 'reading.yaml');
  expect(specs.entities[0]!.partitioning!.start).toBe('2024-01-01');
});
