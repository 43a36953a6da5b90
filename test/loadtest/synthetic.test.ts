/** The synthetic row generator: deterministic per seed, values within each type's limits, keys unique, references bounded. */
import { entityPlan, rowGenerator } from '../../src/loadtest/synthetic';
import { entity, field, salesLike } from '../support/entity-builder';

const window = { fromMs: Date.UTC(2024, 0, 1), toMs: Date.UTC(2024, 3, 1) };

test('the same seed gives the same rows, whatever order they are asked for in; another seed differs', () => {
  const a = rowGenerator(salesLike(), 7, window);
  const b = rowGenerator(salesLike(), 7, window);
  const forward = Array.from({ length: 50 }, (_, i) => a.row(i));
  const backward = Array.from({ length: 50 }, (_, i) => b.row(49 - i)).reverse();
  expect(backward).toEqual(forward);
  const other = rowGenerator(salesLike(), 8, window);
  expect(other.row(0)).not.toEqual(forward[0]);
});

test('keys are unique, foreign-key-like ids come from a bounded set, timestamps stay in the window', () => {
  const gen = rowGenerator(salesLike(), 1, window, { refs: 10 });
  const rows = Array.from({ length: 2000 }, (_, i) => gen.row(i));
  expect(new Set(rows.map((r) => r.transaction_id)).size).toBe(2000);
  expect(new Set(rows.map((r) => r.product_id)).size).toBeLessThanOrEqual(10);
  expect(new Set(rows.map((r) => r.customer_id)).size).toBeLessThanOrEqual(10);
  for (const r of rows) {
    const t = Date.parse(String(r.transaction_date).replace(' ', 'T').replace('+00', 'Z'));
    expect(t).toBeGreaterThanOrEqual(window.fromMs);
    expect(t).toBeLessThan(window.toMs);
  }
  expect(new Set(rows.map((r) => r.region)).size).toBe(5);
});

test('numbers fit their precision and scale, varchar fits its length', () => {
  const e = entity({
    entity: 'Odd',
    fields: [field('id', 'integer'), field('small', 'numeric(3,1)'), field('cents', 'numeric(12,2)'), field('code', 'character varying(3)'), field('n', 'bigint')],
    primaryKey: ['id'],
  });
  expect(entityPlan(e).map((c) => c.plan.kind)).toEqual(['int_unique', 'numeric', 'numeric', 'text', 'int']);
  const gen = rowGenerator(e, 3, window, { uniqueOffset: 100 });
  const rows = Array.from({ length: 500 }, (_, i) => gen.row(i));
  expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 500 }, (_, i) => 101 + i));
  for (const r of rows) {
    expect(String(r.small)).toMatch(/^\d{1,2}\.\d$/); // numeric(3,1): below 100, one decimal
    expect(String(r.cents)).toMatch(/^\d{1,4}\.\d{2}$/);
    expect(String(r.code).length).toBeLessThanOrEqual(3);
  }
});
