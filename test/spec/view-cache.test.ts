/** `view.cache` (the Redis hot cache): the valid form, defaults, and each mistake at its file:line:col. */
import { brief, diagnose, doc, entity, loadExpressionParser } from './support';

beforeAll(() => loadExpressionParser());

const viewDoc = (cache: string): string =>
  doc(
    'fields:\n  product_id: uuid\n  total_sales: numeric\n  qty: integer\nmaterialized_view: hot_mv\nrefresh_interval: "5 minutes"\nview:\n  columns:\n    avg_price: "total_sales / NULLIF(qty, 0)"\n' +
      cache,
  );

test('a valid cache: key, order, limit, ttl and columns; derived view columns may be used', () => {
  const e = entity(viewDoc('  cache:\n    key: "hot:products"\n    order_by: avg_price DESC\n    limit: 25\n    ttl: 10 minutes\n    columns: [product_id, avg_price]\n'));
  expect(e.materializedView!.cache).toMatchObject({
    key: 'hot:products',
    orderBy: { column: 'avg_price', descending: true },
    limit: 25,
    ttlSeconds: 600,
    columns: ['product_id', 'avg_price'],
  });
});

test('defaults: 100 rows, twice the refresh interval, every column, ascending', () => {
  const e = entity(viewDoc('  cache:\n    key: hot\n    order_by: total_sales\n'));
  expect(e.materializedView!.cache).toMatchObject({ limit: 100, ttlSeconds: 600, columns: null, orderBy: { column: 'total_sales', descending: false } });
});

test('an order column that is not a view column is an error at its position, with the nearest name', () => {
  const [d, ...rest] = diagnose(viewDoc('  cache:\n    key: hot\n    order_by: total_sale DESC\n'));
  expect(rest).toEqual([]);
  expect(brief(d!)).toBe('column.unknown@14:15');
  expect(d!.hint).toBe('did you mean `total_sales`?');
});

test('an order that is not `column [ASC|DESC]` (no SQL gets through)', () => {
  const ds = diagnose(viewDoc('  cache:\n    key: hot\n    order_by: "total_sales; DROP TABLE x"\n'));
  expect(ds.map(brief)).toEqual(['view.cache_order_by@14:15']);
});

test('bad key, limit, ttl and columns, all reported at once', () => {
  const ds = diagnose(viewDoc('  cache:\n    key: "hot products"\n    order_by: qty\n    limit: 0\n    ttl: soon\n    columns: [product_id, nope]\n'));
  expect(ds.map(brief)).toEqual(['view.cache_key@13:10', 'view.cache_limit@15:12', 'view.cache_ttl@16:10', 'column.unknown@17:27']);
});

test('unknown keys under cache suggest the right one', () => {
  const [d] = diagnose(viewDoc('  cache:\n    key: hot\n    order_by: qty\n    ttl_seconds: 5\n'));
  expect(brief(d!)).toBe('spec.unknown_key@15:5');
});
