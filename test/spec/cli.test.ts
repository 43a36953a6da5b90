/** `specql validate` and `specql json-schema`, run through the dispatcher with output captured. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { specql } from '../support/cli';
import { specJsonSchemaText } from '../../src/spec/json-schema';

test('validate specs/ exits 0 and says so', async () => {
  const result = await specql('validate', 'specs/');
  expect(result).toEqual({ code: 0, stdout: '4 entities valid\n', stderr: '' });
});

test('validate on the printed example exits 1 with one file:line:col line per problem', async () => {
  const result = await specql('validate', 'test/fixtures/seed');
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines.map((l) => l.replace(/: (error|warning): .*\[(.*)\]$/, ' $1 $2'))).toEqual([
    'test/fixtures/seed/performance_metrics.yaml:23:1 error yaml.duplicate_key',
    'test/fixtures/seed/sales_analytics.yaml:12:3 warning partition.timestamp_without_time_zone',
    'test/fixtures/seed/sales_analytics.yaml:23:11 error index.hash_multicolumn',
    'test/fixtures/seed/sales_analytics.yaml:76:17 error workflow.unknown_entity',
    '3 error(s), 1 warning(s)',
  ]);
});

test('warnings alone still exit 0 (printed on stderr)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'specql-'));
  writeFileSync(join(dir, 'a.yml'), 'entity: A\nschema: s\nfields:\n  id: uuid\n  at: timestamp\npartitioning:\n  strategy: RANGE\n  column: at\n  intervals: [daily]\n');
  const result = await specql('validate', dir);
  expect(result.code).toBe(0);
  expect(result.stderr).toMatch(/a\.yml:5:3: warning: .*timestamptz/);
  expect(result.stdout).toBe('1 entities valid, 1 warning(s)\n');
});

test('validate without paths, or with a missing path, exits 1', async () => {
  expect((await specql('validate')).code).toBe(1);
  const missing = await specql('validate', 'no/such/dir');
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/cannot read `no\/such\/dir`: ENOENT/);
});

test('json-schema prints the committed schema', async () => {
  expect(await specql('json-schema')).toEqual({ code: 0, stdout: specJsonSchemaText(), stderr: '' });
});

test('validate also reports what only the generator can see: a workflow that cannot be batched exactly, with its position', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'specql-validate-'));
  const sales = readFileSync('specs/sales_analytics.yaml', 'utf8').replace(
    'total_quantity + transaction.quantity',
    'total_quantity * transaction.quantity',
  );
  writeFileSync(join(dir, 'sales.yaml'), sales);
  writeFileSync(join(dir, 'metrics.yaml'), readFileSync('specs/performance_metrics.yaml', 'utf8'));
  const line = sales.split('\n').findIndex((l) => l.includes('total_quantity * transaction.quantity')) + 1;
  const result = await specql('validate', dir);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`${join(dir, 'sales.yaml')}:${line}:`);
  expect(result.stderr).toContain('cannot be batched exactly');
  expect(result.stderr).toContain('[workflow.not_batchable]');
});
