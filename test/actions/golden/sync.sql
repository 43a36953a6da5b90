CREATE OR REPLACE FUNCTION analytics.update_performance_metrics_apply()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  IF current_setting('specql.bulk_load', true) = 'on' THEN
    RETURN NULL;
  END IF;
  -- step update_product_metrics: one upsert per key of the batch, in key order, into analytics.product_metrics
  -- total_sales: sum, total_quantity: sum, first_sale_date: least, last_sale_date: greatest
  INSERT INTO analytics.product_metrics AS m (product_id, total_sales, total_quantity, first_sale_date, last_sale_date)
  SELECT a.product_id,
         a.sum_total_sales,
         a.sum_total_quantity,
         a.min_first_sale_date,
         a.max_last_sale_date
  FROM (
    SELECT t.product_id AS product_id,
           CASE WHEN count(*) = count(t.total_amount) THEN sum(t.total_amount) END AS sum_total_sales,
           CASE WHEN count(*) = count(t.quantity) THEN sum(t.quantity) END AS sum_total_quantity,
           min(t.transaction_date) AS min_first_sale_date,
           max(t.transaction_date) AS max_last_sale_date
    FROM new_rows AS t
    WHERE t.product_id IS NOT NULL
    GROUP BY 1
  ) AS a
  ORDER BY a.product_id
  ON CONFLICT (product_id) DO UPDATE
  SET total_sales = m.total_sales + excluded.total_sales,
      total_quantity = m.total_quantity + excluded.total_quantity,
      first_sale_date = LEAST(m.first_sale_date, excluded.first_sale_date),
      last_sale_date = GREATEST(m.last_sale_date, excluded.last_sale_date);

  -- step update_customer_metrics: one upsert per key of the batch, in key order, into analytics.customer_metrics
  -- total_spent: sum, total_orders: sum, last_order_date: greatest, avg_order_value: derived
  INSERT INTO analytics.customer_metrics AS m (customer_id, total_spent, total_orders, last_order_date, avg_order_value)
  SELECT a.customer_id,
         a.sum_total_spent,
         a.sum_total_orders,
         a.max_last_order_date,
         a.sum_total_spent / a.sum_total_orders
  FROM (
    SELECT t.customer_id AS customer_id,
           CASE WHEN count(*) = count(t.total_amount) THEN sum(t.total_amount) END AS sum_total_spent,
           1 * count(*) AS sum_total_orders,
           max(t.transaction_date) AS max_last_order_date
    FROM new_rows AS t
    WHERE t.customer_id IS NOT NULL
    GROUP BY 1
  ) AS a
  ORDER BY a.customer_id
  ON CONFLICT (customer_id) DO UPDATE
  SET total_spent = m.total_spent + excluded.total_spent,
      total_orders = m.total_orders + excluded.total_orders,
      last_order_date = GREATEST(m.last_order_date, excluded.last_order_date),
      avg_order_value = (m.total_spent + excluded.total_spent) / (m.total_orders + excluded.total_orders);

  -- step update_category_metrics: one upsert per key of the batch, in key order, into analytics.category_metrics
  -- total_sales: sum, total_transactions: sum
  INSERT INTO analytics.category_metrics AS m (category, total_sales, total_transactions)
  SELECT a.category,
         a.sum_total_sales,
         a.sum_total_transactions
  FROM (
    SELECT t.category AS category,
           CASE WHEN count(*) = count(t.total_amount) THEN sum(t.total_amount) END AS sum_total_sales,
           1 * count(*) AS sum_total_transactions
    FROM new_rows AS t
    WHERE t.category IS NOT NULL
    GROUP BY 1
  ) AS a
  ORDER BY a.category
  ON CONFLICT (category) DO UPDATE
  SET total_sales = m.total_sales + excluded.total_sales,
      total_transactions = m.total_transactions + excluded.total_transactions;

  RETURN NULL;
END;
$fn$;

REVOKE EXECUTE ON FUNCTION analytics.update_performance_metrics_apply() FROM PUBLIC;

CREATE TRIGGER update_performance_metrics_on_insert
  AFTER INSERT ON analytics.sales_transaction
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT
  EXECUTE FUNCTION analytics.update_performance_metrics_apply();

CREATE OR REPLACE FUNCTION analytics.bulk_insert_transactions(p_transactions jsonb)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_inserted integer;
  v_row bigint;
  v_item jsonb;
  v_unknown text;
  v_state text;
  v_message text;
  v_detail text;
BEGIN
  IF p_transactions IS NULL OR jsonb_typeof(p_transactions) <> 'array' THEN
    RAISE EXCEPTION '% must be a JSON array of objects, got %', 'p_transactions', coalesce(jsonb_typeof(p_transactions), 'NULL')
      USING ERRCODE = '22023';
  END IF;

  BEGIN
    -- Fast path: one set-based statement.
    INSERT INTO analytics.sales_transaction (transaction_id, customer_id, product_id, quantity, unit_price, total_amount, transaction_date, payment_method, region, category)
    SELECT r.transaction_id,
           r.customer_id,
           r.product_id,
           r.quantity,
           r.unit_price,
           r.total_amount,
           r.transaction_date,
           r.payment_method,
           r.region,
           r.category
    FROM jsonb_to_recordset(p_transactions) AS r(transaction_id uuid, customer_id uuid, product_id uuid, quantity integer, unit_price numeric(10,2), total_amount numeric(10,2), transaction_date timestamp with time zone, payment_method text, region text, category text);
    GET DIAGNOSTICS v_inserted = ROW_COUNT;
    -- jsonb_to_recordset ignores keys it was not asked for: reject them (rolled back with the block).
    IF EXISTS (
      SELECT 1 FROM jsonb_array_elements(p_transactions) AS e(item)
      WHERE e.item - ARRAY['transaction_id', 'customer_id', 'product_id', 'quantity', 'unit_price', 'total_amount', 'transaction_date', 'payment_method', 'region', 'category']::text[] <> '{}'::jsonb
    ) THEN
      RAISE EXCEPTION 'unknown field' USING ERRCODE = '22023';
    END IF;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
    -- Slow path, only after a failure: name the first bad row and field.
    FOR v_item, v_row IN SELECT e.item, e.n FROM jsonb_array_elements(p_transactions) WITH ORDINALITY AS e(item, n) LOOP
      IF jsonb_typeof(v_item) <> 'object' THEN
        RAISE EXCEPTION 'row %: expected a JSON object, got %', v_row, jsonb_typeof(v_item) USING ERRCODE = '22023';
      END IF;
      SELECT k INTO v_unknown FROM jsonb_object_keys(v_item) AS k WHERE k <> ALL (ARRAY['transaction_id', 'customer_id', 'product_id', 'quantity', 'unit_price', 'total_amount', 'transaction_date', 'payment_method', 'region', 'category']::text[]) ORDER BY k LIMIT 1;
      IF v_unknown IS NOT NULL THEN
        RAISE EXCEPTION 'row %: unknown field "%"', v_row, v_unknown
          USING ERRCODE = '22023', HINT = 'known fields: transaction_id, customer_id, product_id, quantity, unit_price, total_amount, transaction_date, payment_method, region, category';
      END IF;
      BEGIN
        -- the whole row converts cleanly: nothing to report on it, next row
        PERFORM FROM jsonb_to_record(v_item) AS r(transaction_id uuid, customer_id uuid, product_id uuid, quantity integer, unit_price numeric(10,2), total_amount numeric(10,2), transaction_date timestamp with time zone, payment_method text, region text, category text)
        WHERE r.transaction_id IS NOT NULL AND r.transaction_date IS NOT NULL;
        IF FOUND THEN
          CONTINUE;
        END IF;
      EXCEPTION WHEN OTHERS THEN
        NULL; -- located field by field below
      END;
      IF NOT v_item ? 'transaction_id' THEN
        RAISE EXCEPTION 'row %: field "%" is required', v_row, 'transaction_id' USING ERRCODE = '23502';
      END IF;
      IF jsonb_typeof(v_item -> 'transaction_id') = 'null' THEN
        RAISE EXCEPTION 'row %: field "%" must not be null', v_row, 'transaction_id' USING ERRCODE = '23502';
      END IF;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('transaction_id', v_item -> 'transaction_id')) AS r(transaction_id uuid);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "%": %', v_row, 'transaction_id', SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('customer_id', v_item -> 'customer_id')) AS r(customer_id uuid);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "%": %', v_row, 'customer_id', SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('product_id', v_item -> 'product_id')) AS r(product_id uuid);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "%": %', v_row, 'product_id', SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('quantity', v_item -> 'quantity')) AS r(quantity integer);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "%": %', v_row, 'quantity', SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('unit_price', v_item -> 'unit_price')) AS r(unit_price numeric(10,2));
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "%": %', v_row, 'unit_price', SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('total_amount', v_item -> 'total_amount')) AS r(total_amount numeric(10,2));
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "%": %', v_row, 'total_amount', SQLERRM USING ERRCODE = SQLSTATE;
      END;
      IF NOT v_item ? 'transaction_date' THEN
        RAISE EXCEPTION 'row %: field "%" is required', v_row, 'transaction_date' USING ERRCODE = '23502';
      END IF;
      IF jsonb_typeof(v_item -> 'transaction_date') = 'null' THEN
        RAISE EXCEPTION 'row %: field "%" must not be null', v_row, 'transaction_date' USING ERRCODE = '23502';
      END IF;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('transaction_date', v_item -> 'transaction_date')) AS r(transaction_date timestamp with time zone);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "%": %', v_row, 'transaction_date', SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('payment_method', v_item -> 'payment_method')) AS r(payment_method text);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "%": %', v_row, 'payment_method', SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('region', v_item -> 'region')) AS r(region text);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "%": %', v_row, 'region', SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('category', v_item -> 'category')) AS r(category text);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "%": %', v_row, 'category', SQLERRM USING ERRCODE = SQLSTATE;
      END;
    END LOOP;
    -- No single row or field is at fault (a duplicate key, a missing partition, …): the original error.
    RAISE EXCEPTION USING ERRCODE = v_state, MESSAGE = v_message, DETAIL = coalesce(v_detail, '');
  END;
  RETURN v_inserted;
END;
$fn$;

REVOKE EXECUTE ON FUNCTION analytics.bulk_insert_transactions(jsonb) FROM PUBLIC;
