/**
 * The example's YAML exactly as printed must fail with clear, positioned
 * errors, all reported in one run, and the run-together entities must still be
 * validated after recovery.
 */
import { loadSpecs, loadSpecText } from '../../src/spec/load';
import type { Diagnostic } from '../../src/diagnostics/diagnostic';
import type { SpecSet } from '../../src/spec/model';
import { renderDiagnostic } from '../../src/diagnostics/render';

let specs: SpecSet;
let diagnostics: Diagnostic[];
const PM = 'test/fixtures/seed/performance_metrics.yaml';
const SA = 'test/fixtures/seed/sales_analytics.yaml';

beforeAll(async () => {
  ({ specs, diagnostics } = await loadSpecs([SA, PM]));
});

test('the printed example gives exactly these diagnostics, sorted by file and position', () => {
  expect(diagnostics.map((d) => [d.severity, d.code, `${d.at?.file}:${d.at?.line}:${d.at?.column}`])).toEqual([
    ['error', 'yaml.duplicate_key', `${PM}:23:1`],
    ['warning', 'partition.timestamp_without_time_zone', `${SA}:12:3`],
    ['error', 'index.hash_multicolumn', `${SA}:23:11`],
    ['error', 'workflow.unknown_entity', `${SA}:76:17`],
  ]);
});

test('each diagnostic says how to fix it', () => {
  const [entities, timestamp, hash, category] = diagnostics;
  expect(entities.message).toMatch(/second `entity:`.*line 2/);
  expect(entities.hint).toMatch(/`---`/);
  expect(timestamp.message).toMatch(/transaction_date.*offsets.*silently dropped/);
  expect(timestamp.hint).toMatch(/timestamptz/);
  expect(hash.message).toMatch(/idx_sales_customer_product.*HASH.*one column/);
  expect(hash.hint).toMatch(/BTREE/i);
  expect(category.message).toMatch(/CategoryMetrics.*not defined/);
  expect(category.hint).toMatch(/define `entity: CategoryMetrics`/);
  expect(renderDiagnostic(hash)).toBe(
    `${SA}:23:11: error: index \`idx_sales_customer_product\` is HASH over 2 columns, but PostgreSQL's hash indexes support one column only. ` +
      'Fix: use `type: BTREE` (equality lookups on several columns), or one HASH index per column [index.hash_multicolumn]',
  );
});

test('both run-together entities are recovered and validated separately', () => {
  expect(specs.entities.map((e) => e.entity)).toEqual(['ProductMetrics', 'CustomerMetrics', 'SalesTransaction']);
  const customer = specs.entities[1];
  expect(customer.fields.map((f) => f.name)).toEqual(['customer_id', 'total_spent', 'total_orders', 'avg_order_value', 'last_order_date', 'customer_segment']);
  expect(customer.indexes.map((i) => i.name)).toEqual(['idx_customer_metrics_segment', 'idx_customer_metrics_value']);
  expect(customer.at).toEqual({ file: PM, line: 23, column: 1 });
  // ProductMetrics keeps its view; CustomerMetrics did not inherit it from the merged document.
  expect(specs.entities[0].materializedView?.name).toBe('product_performance_mv');
  expect(customer.materializedView).toBeNull();
});

test('errors in a recovered entity keep their original line numbers', () => {
  const text = 'entity: A\nschema: s\nfields:\n  a_id: uuid\nentity: B\nschema: s\nfields:\n  b_id: uuidd\n';
  expect(loadSpecText(text, 'x.yaml').diagnostics.map((d) => `${d.code}@${d.at?.line}:${d.at?.column}`)).toEqual([
    'yaml.duplicate_key@5:1',
    'type.unknown@8:9',
  ]);
});
