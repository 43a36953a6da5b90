/**
 * The metrics of specs/ recomputed from the base table, and every row where
 * the workflow's metric tables differ from them (empty when exact).
 */
import type { Pool } from 'pg';

const CHECKS = [
  {
    table: 'category_metrics',
    sql: `WITH truth AS (
            SELECT category, sum(total_amount) AS total_sales, count(*) AS total_transactions
            FROM analytics.sales_transaction WHERE category IS NOT NULL GROUP BY category)
          SELECT coalesce(t.category, m.category) AS key FROM truth t FULL JOIN analytics.category_metrics m USING (category)
          WHERE (t.total_sales, t.total_transactions) IS DISTINCT FROM (m.total_sales, m.total_transactions)`,
  },
  {
    table: 'customer_metrics',
    sql: `WITH truth AS (
            SELECT customer_id, sum(total_amount) AS total_spent, count(*)::int AS total_orders, max(transaction_date) AS last_order_date
            FROM analytics.sales_transaction WHERE customer_id IS NOT NULL GROUP BY customer_id)
          SELECT coalesce(t.customer_id, m.customer_id)::text AS key FROM truth t FULL JOIN analytics.customer_metrics m USING (customer_id)
          WHERE (t.total_spent, t.total_orders, t.last_order_date, round(t.total_spent / t.total_orders, 2))
             IS DISTINCT FROM (m.total_spent, m.total_orders, m.last_order_date, m.avg_order_value)`,
  },
  {
    table: 'product_metrics',
    sql: `WITH truth AS (
            SELECT product_id, sum(total_amount) AS total_sales, sum(quantity)::int AS total_quantity,
                   min(transaction_date) AS first_sale_date, max(transaction_date) AS last_sale_date
            FROM analytics.sales_transaction WHERE product_id IS NOT NULL GROUP BY product_id)
          SELECT coalesce(t.product_id, m.product_id)::text AS key FROM truth t FULL JOIN analytics.product_metrics m USING (product_id)
          WHERE (t.total_sales, t.total_quantity, t.first_sale_date, t.last_sale_date)
             IS DISTINCT FROM (m.total_sales, m.total_quantity, m.first_sale_date, m.last_sale_date)`,
  },
];

export async function metricMismatches(pool: Pool): Promise<string[]> {
  const out: string[] = [];
  for (const check of CHECKS) {
    const { rows } = await pool.query<{ key: string }>(check.sql);
    for (const r of rows) out.push(`${check.table}: ${r.key}`);
  }
  return out;
}

export async function queueDepth(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM analytics.update_performance_metrics_queue');
  return Number(rows[0]!.n);
}
