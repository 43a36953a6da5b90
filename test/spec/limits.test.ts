/**
 * Size limits and numeric ranges (issue 7, "bounded, linear-time loading";
 * "numbers have ranges"): every limit gives one diagnostic naming it, the
 * JSON Schema carries the same ranges, and position lookups grow linearly
 * (counted, not timed: timings go to `npm run bench`, suite `validate`).
 */
import { numberOption } from '../../src/cli/args';
import { specJsonSchema } from '../../src/spec/json-schema';
import {
  MAX_ACTIONS,
  MAX_FIELDS,
  MAX_INDEXES,
  MAX_WORKFLOW_STEPS,
  POSTGRES_MAX_COLUMNS,
  POSTGRES_MAX_INDEX_COLUMNS,
  RANGES,
} from '../../src/spec/limits';
import { positionLookupWork } from '../../src/spec/yaml-source';
import { brief, diagnose, doc, entity, loadExpressionParser } from './support';

beforeAll(() => loadExpressionParser());

const fieldLines = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `  f_${from + i}: text`).join('\n');
const codes = (text: string) => diagnose(text).map((d) => d.code);

describe('numbers have ranges, named in the message', () => {
  const partitioned = (extra: string) =>
    doc(`fields:\n  id: uuid\n  at: timestamptz\npartitioning:\n  strategy: RANGE\n  column: at\n  intervals: [monthly]\n${extra}`);

  it.each([
    ['premake 100000 (today: only the DEFAULT partition)', '  premake: 100000\n', 'spec.out_of_range@10:12', '`partitioning.premake` is 100000: it must be a whole number from 1 to 120.'],
    ['premake 0', '  premake: 0\n', 'spec.out_of_range@10:12', '`partitioning.premake` is 0: it must be a whole number from 1 to 120.'],
    ['premake 2.5', '  premake: 2.5\n', 'spec.out_of_range@10:12', '`partitioning.premake` is 2.5: it must be a whole number from 1 to 120.'],
    ['retention of 100000 months', '  retention: 100000 months\n', 'partition.retention_range@10:14', '`retention` `100000 months` keeps 100,000 monthly partitions: the range is 1 to 10,000.'],
  ])('%s', (_name, extra, at, message) => {
    const ds = diagnose(partitioned(extra));
    expect(ds.map(brief)).toEqual([at]);
    expect(ds[0]!.message).toBe(message);
  });

  it('pages_per_range is PostgreSQL\'s own 1–131072', () => {
    const index = (n: number) => doc(`fields:\n  id: uuid\n  at: timestamptz\nindexes:\n  - name: b\n    columns: [at]\n    type: BRIN\n    pages_per_range: ${n}\n`);
    expect(diagnose(index(131_073)).map((d) => `${brief(d)} ${d.message}`)).toEqual([
      'spec.out_of_range@10:22 `indexes[0].pages_per_range` is 131073: it must be a whole number from 1 to 131,072.',
    ]);
    expect(entity(index(131_072)).indexes[0]!.pagesPerRange).toBe(131_072);
  });

  it('verify budgets: counts, ratios and durations', () => {
    const verify = (body: string) => diagnose(doc(`fields:\n  id: uuid\nverify:\n${body}`)).map((d) => `${d.code}: ${d.message}`);
    expect(verify('  bulk_rows: 2000000\n')).toEqual(['spec.out_of_range: `verify.bulk_rows` is 2000000: it must be a whole number from 1 to 1,000,000.']);
    expect(verify('  clients: 101\n')).toEqual(['spec.out_of_range: `verify.clients` is 101: it must be a whole number from 1 to 100.']);
    expect(verify('  trigger_overhead: 1001\n')).toEqual(['spec.out_of_range: `verify.trigger_overhead` is 1001: it must be from 1 to 1,000.']);
    expect(verify('  query: 90 minutes\n')).toEqual(['verify.duration_range: `verify.query` `90 minutes` is out of range: a budget is from 0.001 ms to 60 minutes.']);
    expect(verify('  query: 0 ms\n')).toEqual(['verify.duration_range: `verify.query` `0 ms` is out of range: a budget is from 0.001 ms to 60 minutes.']);
  });

  it('the view cache and refresh intervals', () => {
    const view = (cache: string, interval = '5 minutes') =>
      doc(`fields:\n  id: uuid\n  qty: integer\nmaterialized_view: mv\nrefresh_interval: ${interval}\nview:\n  cache:\n    key: hot\n    order_by: qty\n${cache}`);
    expect(codes(view('    limit: 10001\n'))).toEqual(['view.cache_limit']);
    expect(diagnose(view('    ttl: 31 days\n'))[0]!.message).toBe('`view.cache.ttl` `31 days` is out of range: 1 second to 30 days.');
    expect(diagnose(view('', '2 weeks'))[0]!.hint).toMatch(/^the range is 1 second to 1 week/);
    expect(entity(view('    limit: 10000\n    ttl: 30 days\n')).materializedView!.cache!.ttlSeconds).toBe(2_592_000);
  });

  it('the JSON Schema carries every range (npm run schema)', () => {
    const text = JSON.stringify(specJsonSchema());
    const bounds = (key: string) =>
      [...text.matchAll(new RegExp(`"${key}":\\{[^{}]*?"minimum":(-?[\\d.]+)[^{}]*?"maximum":(-?[\\d.]+)`, 'g'))].map((m) => [Number(m[1]), Number(m[2])]);
    for (const [key, schemaKey] of [['premake', 'premake'], ['pages_per_range', 'pages_per_range'], ['cache_limit', 'limit'], ['bulk_rows', 'bulk_rows'], ['trigger_overhead', 'trigger_overhead'], ['clients', 'clients']] as const) {
      expect([key, bounds(schemaKey)]).toEqual([key, [[RANGES[key].min, RANGES[key].max]]]);
    }
  });

  it('the CLI overrides --premake and --retention take the same ranges', () => {
    expect(numberOption('12', 'premake')).toEqual({ premake: 12 });
    expect(() => numberOption('100000', 'premake')).toThrow('--premake takes a whole number from 1 to 120, not "100000"');
    expect(() => numberOption('0', 'premake')).toThrow(/from 1 to 120/);
    expect(numberOption('none', 'retention')).toEqual({ retention: null });
    expect(() => numberOption('10001', 'retention')).toThrow('--retention takes a whole number from 1 to 10,000 or "none", not "10001"');
  });
});

describe('size limits: what PostgreSQL would refuse is refused at validation', () => {
  it(`fields: ${MAX_FIELDS} validate, one more is refused at \`fields:\``, () => {
    expect(entity(doc(`fields:\n  id: uuid\n${fieldLines(MAX_FIELDS - 1)}\n`)).fields).toHaveLength(MAX_FIELDS);
    const ds = diagnose(doc(`fields:\n  id: uuid\n${fieldLines(MAX_FIELDS)}\n`));
    expect(ds.map(brief)).toEqual(['spec.too_many@3:1']);
    expect(ds[0]!.message).toBe(`${(MAX_FIELDS + 1).toLocaleString('en-US')} fields: at most ${MAX_FIELDS.toLocaleString('en-US')} are allowed (PostgreSQL allows 1600 columns per table, and a workflow's queue table adds 2 to the fields it copies).`);
  });

  it('2,000 fields (the issue\'s example) are refused', () => {
    expect(codes(doc(`fields:\n  id: uuid\n${fieldLines(1999)}\n`))).toEqual(['spec.too_many']);
  });

  it(`index columns: at most ${POSTGRES_MAX_INDEX_COLUMNS}`, () => {
    const cols = (n: number) => Array.from({ length: n }, (_, i) => `f_${i}`).join(', ');
    const spec = (n: number) => doc(`fields:\n  id: uuid\n${fieldLines(40)}\nindexes:\n  - name: wide\n    columns: [${cols(n)}]\n`);
    expect(entity(spec(POSTGRES_MAX_INDEX_COLUMNS)).indexes[0]!.columns).toHaveLength(32);
    expect(diagnose(spec(POSTGRES_MAX_INDEX_COLUMNS + 1)).map(brief)).toEqual(['spec.too_many@47:14']);
  });

  it('a unique index of a partitioned entity must include the partition column', () => {
    const ds = diagnose(doc('fields:\n  id: uuid\n  at: timestamptz\n  code: text\nindexes:\n  - name: u\n    columns: [code]\n    unique: true\npartitioning:\n  strategy: RANGE\n  column: at\n  intervals: [monthly]\n'));
    expect(ds.map(brief)).toEqual(['index.unique_without_partition_column@9:14']);
  });

  it(`indexes (${MAX_INDEXES}), actions (${MAX_ACTIONS}), workflow steps (${MAX_WORKFLOW_STEPS}), view columns (${POSTGRES_MAX_COLUMNS})`, () => {
    const indexes = Array.from({ length: MAX_INDEXES + 1 }, (_, i) => `  - name: i${i}\n    columns: [id]`).join('\n');
    expect(diagnose(doc(`fields:\n  id: uuid\nindexes:\n${indexes}\n`)).map(brief)).toEqual(['spec.too_many@5:1']);
    const actions = Array.from({ length: MAX_ACTIONS + 1 }, (_, i) => `  - name: a${i}\n    pattern: batch/bulk_operation\n    operation: insert\n    batch_field: rows`).join('\n');
    expect(diagnose(doc(`fields:\n  id: uuid\nactions:\n${actions}\n`)).map(brief)).toEqual(['spec.too_many@5:1']);
    const steps = Array.from({ length: MAX_WORKFLOW_STEPS + 1 }, (_, i) => `      - step: s${i}\n        action: update\n        entity: Foo\n        fields: { n: n + 1 }\n        condition: id = foo.id`).join('\n');
    const workflow = doc(`fields:\n  id: uuid\n  n: integer\nactions:\n  - name: w\n    pattern: composite/workflow_orchestrator\n    trigger: foo_inserted\n    workflow:\n${steps}\n`);
    expect(diagnose(workflow).filter((d) => d.code === 'spec.too_many').map(brief)).toEqual(['spec.too_many@10:5']);
    const viewColumns = Array.from({ length: 3 }, (_, i) => `    v_${i}: f_${i}`).join('\n');
    const view = doc(`fields:\n  id: uuid\n${fieldLines(MAX_FIELDS - 1)}\nmaterialized_view: mv\nrefresh_interval: 1 hour\nview:\n  columns:\n${viewColumns}\n`);
    expect(diagnose(view).map(brief)).toEqual([`spec.too_many@${MAX_FIELDS + 7}:3`]);
  });
});

describe('position lookups grow linearly with the spec (counted work, not time)', () => {
  const work = (fields: number) => {
    const text = doc(`fields:\n  id: uuid\n${fieldLines(fields)}\nindexes:\n  - name: i\n    columns: [f_0]\n`);
    const before = positionLookupWork();
    expect(diagnose(text)).toEqual([]);
    return positionLookupWork() - before;
  };

  it('four times the fields is about four times the lookups (a scan per lookup would be sixteen)', () => {
    const small = work(300);
    const large = work(1200);
    expect(small).toBeGreaterThan(300); // the counter counts: every field is looked up
    expect(large / small).toBeGreaterThan(3.5);
    expect(large / small).toBeLessThan(4.5);
  });
});
