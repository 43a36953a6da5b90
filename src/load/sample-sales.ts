/**
 * Deterministic sample sales (the shape of specs/sales_analytics.yaml) for tests and benchmarks:
 * small key spaces so metric keys repeat, optional NULL amounts and NULL keys.
 */
/** Deterministic pseudo-random generator (tests must be reproducible). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export const hexId = (prefix: number, n: number): string =>
  `${prefix.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export interface SaleRow {
  transaction_id: string;
  customer_id: string | null;
  product_id: string | null;
  quantity: number | null;
  unit_price: string | null;
  total_amount: string | null;
  transaction_date: string;
  payment_method: string | null;
  region: string | null;
  category: string | null;
}

/** `count` sales spread over the months given (UTC), with small key spaces so keys repeat. */
export function generateSales(
  count: number,
  options: { seed?: number; months?: string[]; nullAmountEvery?: number; nullKeyEvery?: number; products?: number; customers?: number; offset?: number } = {},
): SaleRow[] {
  const rand = rng(options.seed ?? 42);
  const months = options.months ?? ['2024-01', '2024-02', '2024-03'];
  const categories = ['electronics', 'books', 'garden', 'toys', 'food'];
  const rows: SaleRow[] = [];
  for (let i = 0; i < count; i++) {
    const month = months[i % months.length]!;
    const day = 1 + Math.floor(rand() * 28);
    const seconds = Math.floor(rand() * 86400);
    const date = new Date(`${month}-${String(day).padStart(2, '0')}T00:00:00Z`);
    date.setUTCSeconds(seconds);
    const quantity = 1 + Math.floor(rand() * 5);
    const cents = 100 + Math.floor(rand() * 20000);
    const nullAmount = options.nullAmountEvery && i % options.nullAmountEvery === options.nullAmountEvery - 1;
    const nullKey = options.nullKeyEvery && i % options.nullKeyEvery === 0;
    rows.push({
      transaction_id: hexId(0xabc, (options.offset ?? 0) + i + 1),
      customer_id: nullKey ? null : hexId(1, Math.floor(rand() * (options.customers ?? 200))),
      product_id: hexId(2, Math.floor(rand() * (options.products ?? 50))),
      quantity,
      unit_price: (cents / 100).toFixed(2),
      total_amount: nullAmount ? null : ((cents * quantity) / 100).toFixed(2),
      transaction_date: date.toISOString(),
      payment_method: rand() < 0.5 ? 'card' : 'paypal',
      region: rand() < 0.5 ? 'us-west' : 'eu-central',
      category: categories[Math.floor(rand() * categories.length)]!,
    });
  }
  return rows;
}

