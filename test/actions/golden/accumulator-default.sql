CREATE TABLE analytics.update_performance_metrics_queue (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    customer_id uuid,
    product_id uuid,
    quantity integer,
    total_amount numeric(10,2),
    transaction_date timestamp with time zone,
    category text,
    queued_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT update_performance_metrics_queue_pkey PRIMARY KEY (id)
);

CREATE OR REPLACE FUNCTION analytics.update_performance_metrics_enqueue()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  -- The bulk function (disable_triggers hint) enqueues its rows itself, in the same statement,
  -- and marks that with a transaction-local setting it switches off again right after.
  IF current_setting('specql.bulk_load', true) = 'on' THEN
    RETURN NULL;
  END IF;
  INSERT INTO analytics.update_performance_metrics_queue (customer_id, product_id, quantity, total_amount, transaction_date, category)
  SELECT customer_id, product_id, quantity, total_amount, transaction_date, category
  FROM new_rows;
  -- Wake a listening `specql worker`: one notification per statement (sent at commit).
  IF FOUND THEN
    PERFORM pg_notify('specql_queue', 'analytics.update_performance_metrics_queue');
  END IF;
  RETURN NULL;
END;
$fn$;

REVOKE EXECUTE ON FUNCTION analytics.update_performance_metrics_enqueue() FROM PUBLIC;

CREATE OR REPLACE FUNCTION analytics.update_performance_metrics_process(p_batch_size integer DEFAULT 10000)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_rows analytics.update_performance_metrics_queue[];
BEGIN
  IF p_batch_size IS NULL OR p_batch_size < 1 THEN
    RAISE EXCEPTION 'p_batch_size must be a positive integer, got %', p_batch_size USING ERRCODE = '22023';
  END IF;
  -- Take the oldest rows nobody else holds (SKIP LOCKED: concurrent processors split the queue).
  WITH taken AS (
    DELETE FROM analytics.update_performance_metrics_queue AS q
    WHERE q.id IN (
      SELECT id FROM analytics.update_performance_metrics_queue
      ORDER BY id
      LIMIT p_batch_size
      FOR UPDATE SKIP LOCKED
    )
    RETURNING q
  )
  SELECT array_agg(taken.q ORDER BY (taken.q).id) INTO v_rows FROM taken;
  IF v_rows IS NULL THEN
    RETURN 0;
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
    FROM unnest(v_rows) AS t
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
    FROM unnest(v_rows) AS t
    WHERE t.customer_id IS NOT NULL
    GROUP BY 1
  ) AS a
  ORDER BY a.customer_id
  ON CONFLICT (customer_id) DO UPDATE
  SET total_spent = m.total_spent + excluded.total_spent,
      total_orders = m.total_orders + excluded.total_orders,
      last_order_date = GREATEST(m.last_order_date, excluded.last_order_date),
      avg_order_value = (m.total_spent + excluded.total_spent) / (m.total_orders + excluded.total_orders);

  -- step update_category_metrics: rows of first-seen keys, and a lock on every affected row, in key order, of analytics.category_metrics
  INSERT INTO analytics.category_metrics AS m (category, total_sales)
  SELECT DISTINCT t.category, 0
  FROM unnest(v_rows) AS t
  WHERE t.category IS NOT NULL
  ORDER BY 1
  ON CONFLICT (category) DO UPDATE SET category = EXCLUDED.category WHERE false;
  -- total_sales: sum, total_transactions: sum
  UPDATE analytics.category_metrics AS m
  SET total_sales = m.total_sales + a.sum_total_sales,
      total_transactions = m.total_transactions + a.sum_total_transactions
  FROM (
    SELECT t.category AS category,
           CASE WHEN count(*) = count(t.total_amount) THEN sum(t.total_amount) END AS sum_total_sales,
           1 * count(*) AS sum_total_transactions
    FROM unnest(v_rows) AS t
    WHERE t.category IS NOT NULL
    GROUP BY 1
  ) AS a
  WHERE m.category = a.category;

  RETURN cardinality(v_rows);
END;
$fn$;

REVOKE EXECUTE ON FUNCTION analytics.update_performance_metrics_process(integer) FROM PUBLIC;

CREATE TRIGGER update_performance_metrics_on_insert
  AFTER INSERT ON analytics.sales_transaction
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT
  EXECUTE FUNCTION analytics.update_performance_metrics_enqueue();

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
    -- disable_triggers: the enqueue trigger skips while this transaction-local flag is on;
    -- the INSERT below enqueues the same rows itself. Undone on error with this block.
    PERFORM set_config('specql.bulk_load', 'on', true);
    -- Fast path: one set-based statement.
    WITH inserted AS (
      INSERT INTO analytics.sales_transaction (transaction_id, customer_id, product_id, quantity, unit_price, total_amount, transaction_date, payment_method, region, category)
      SELECT CASE WHEN e.item ? 'transaction_id' THEN r.transaction_id ELSE gen_random_uuid() END,
             r.customer_id,
             r.product_id,
             r.quantity,
             r.unit_price,
             r.total_amount,
             r.transaction_date,
             r.payment_method,
             r.region,
             r.category
      FROM jsonb_array_elements(p_transactions) AS e(item)
      CROSS JOIN LATERAL jsonb_to_record(e.item) AS r(transaction_id uuid, customer_id uuid, product_id uuid, quantity integer, unit_price numeric(10,2), total_amount numeric(10,2), transaction_date timestamp with time zone, payment_method text, region text, category text)
      RETURNING customer_id, product_id, quantity, total_amount, transaction_date, category
    ), enqueued_1 AS (
      INSERT INTO analytics.update_performance_metrics_queue (customer_id, product_id, quantity, total_amount, transaction_date, category)
      SELECT customer_id, product_id, quantity, total_amount, transaction_date, category
      FROM inserted
    )
    SELECT count(*) INTO v_inserted FROM inserted;
    PERFORM set_config('specql.bulk_load', 'off', true);
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
        WHERE (NOT v_item ? 'transaction_id' OR r.transaction_id IS NOT NULL) AND r.transaction_date IS NOT NULL;
        IF FOUND THEN
          CONTINUE;
        END IF;
      EXCEPTION WHEN OTHERS THEN
        NULL; -- located field by field below
      END;
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
  -- Wake a listening `specql worker`: one notification per statement (sent at commit).
  IF v_inserted > 0 THEN
    PERFORM pg_notify('specql_queue', 'analytics.update_performance_metrics_queue');
  END IF;
  RETURN v_inserted;
END;
$fn$;

REVOKE EXECUTE ON FUNCTION analytics.bulk_insert_transactions(jsonb) FROM PUBLIC;
