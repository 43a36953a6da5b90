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

export async function metricMismatches(pool: Pool, skip: readonly string[] = []): Promise<string[]> {
  const out: string[] = [];
  for (const check of CHECKS) {
    if (skip.includes(check.table)) continue;
    // A metrics entity removed from the specs (a migration sequence) has nothing to compare.
    const { rows: exists } = await pool.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`analytics.${check.table}`]);
    if (exists[0]!.t === null) continue;
    const { rows } = await pool.query<{ key: string }>(check.sql);
    for (const r of rows) out.push(`${check.table}: ${r.key}`);
  }
  return out;
}

export async function queueDepth(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM analytics.update_performance_metrics_queue');
  return Number(rows[0]!.n);
}

/** Runs the workflow's queue processor until the queue is empty (nothing to do in sync mode: no queue). */
export async function drainQueue(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ f: string | null }>(`SELECT to_regprocedure('analytics.update_performance_metrics_process(integer)')::text AS f`);
  if (rows[0]!.f === null) return 0;
  let total = 0;
  for (;;) {
    const { rows: done } = await pool.query<{ n: number }>('SELECT analytics.update_performance_metrics_process(10000) AS n');
    if (Number(done[0]!.n) === 0) return total;
    total += Number(done[0]!.n);
  }
}

/** Rebuilds category_metrics from the base table (writers stopped, queue drained): what a backfill of a newly added metric target would do. */
export async function rebuildCategoryMetrics(pool: Pool): Promise<void> {
  await pool.query(`BEGIN; LOCK TABLE analytics.sales_transaction IN EXCLUSIVE MODE; DELETE FROM analytics.category_metrics;
    INSERT INTO analytics.category_metrics (category, total_sales, total_transactions)
    SELECT category, sum(total_amount), count(*) FROM analytics.sales_transaction WHERE category IS NOT NULL GROUP BY category; COMMIT`);
}

/** Rebuilds every metric table of specs/ that exists from the base table (writers stopped, queue drained). */
export async function rebuildAllMetrics(pool: Pool): Promise<void> {
  const exists = async (t: string): Promise<boolean> => (await pool.query('SELECT to_regclass($1) AS t', [`analytics.${t}`])).rows[0].t !== null;
  const client = await pool.connect();
  await client.query('BEGIN; LOCK TABLE analytics.sales_transaction IN EXCLUSIVE MODE');
  try {
    if (await exists('category_metrics')) {
      await client.query(`DELETE FROM analytics.category_metrics; INSERT INTO analytics.category_metrics (category, total_sales, total_transactions)
        SELECT category, sum(total_amount), count(*) FROM analytics.sales_transaction WHERE category IS NOT NULL GROUP BY category`);
    }
    await client.query(`DELETE FROM analytics.customer_metrics; INSERT INTO analytics.customer_metrics (customer_id, total_spent, total_orders, last_order_date, avg_order_value)
      SELECT customer_id, sum(total_amount), count(*), max(transaction_date), round(sum(total_amount) / count(*), 2) FROM analytics.sales_transaction WHERE customer_id IS NOT NULL GROUP BY customer_id`);
    await client.query(`DELETE FROM analytics.product_metrics; INSERT INTO analytics.product_metrics (product_id, total_sales, total_quantity, first_sale_date, last_sale_date)
      SELECT product_id, sum(total_amount), sum(quantity), min(transaction_date), max(transaction_date) FROM analytics.sales_transaction WHERE product_id IS NOT NULL GROUP BY product_id`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}
