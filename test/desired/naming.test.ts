import {
  defaultPartitionName,
  entityTableName,
  maintainPartitionsFunctionName,
  partitionIndexName,
  partitionName,
  primaryKeyName,
  refreshFunctionName,
  refreshJobName,
  viewKeyIndexName,
} from '../../src/desired/naming';

test('names follow the documented patterns', () => {
  expect(entityTableName({ schema: 'analytics', table: 'sales_transaction' })).toEqual({ schema: 'analytics', name: 'sales_transaction' });
  expect(primaryKeyName('sales_transaction')).toBe('sales_transaction_pkey');
  expect(partitionName('t', 'monthly', '2024-01-01')).toBe('t_p2024_01');
  expect(partitionName('t', 'daily', '2024-01-05')).toBe('t_p2024_01_05');
  expect(partitionName('t', 'weekly', '2024-01-01')).toBe('t_p2024_01_01');
  expect(partitionName('t', 'yearly', '2024-01-01')).toBe('t_p2024');
  expect(defaultPartitionName('t')).toBe('t_default');
  expect(partitionIndexName('t_p2024_01', 'idx_a')).toBe('t_p2024_01_idx_a');
  expect(viewKeyIndexName('product_performance_mv')).toBe('product_performance_mv_key');
  expect(refreshFunctionName('analytics', 'product_performance_mv')).toEqual({ schema: 'analytics', name: 'refresh_product_performance_mv' });
  expect(refreshJobName('analytics', 'product_performance_mv')).toBe('specql_refresh_analytics_product_performance_mv');
  expect(maintainPartitionsFunctionName('analytics', 'sales_transaction')).toEqual({
    schema: 'analytics',
    name: 'sales_transaction_maintain_partitions',
  });
});

test('names over 63 bytes are shortened deterministically, stay distinct, and fit', () => {
  const table = 'x'.repeat(60);
  const names = [
    partitionName(table, 'monthly', '2024-01-01'),
    partitionName(table, 'monthly', '2024-02-01'),
    defaultPartitionName(table),
    maintainPartitionsFunctionName('s', table).name,
    partitionIndexName(partitionName(table, 'monthly', '2024-01-01'), 'idx_a'),
    partitionIndexName(partitionName(table, 'monthly', '2024-01-01'), 'idx_b'),
  ];
  for (const name of names) {
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(name.startsWith('x'.repeat(54))).toBe(true);
  }
  expect(new Set(names).size).toBe(names.length);
  expect(partitionName(table, 'monthly', '2024-01-01')).toBe(partitionName(table, 'monthly', '2024-01-01'));
});

test('multi-byte names are cut on characters and still fit in 63 bytes', () => {
  const name = partitionName('ü'.repeat(40), 'daily', '2024-01-01');
  expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
  expect(name).not.toContain('\uFFFD');
});

test('names that fit are unchanged', () => {
  const table = 'y'.repeat(54); // + "_p2024_01" = 63 bytes exactly
  expect(partitionName(table, 'monthly', '2024-01-01')).toBe(`${table}_p2024_01`);
});
