-- 1. create schema analytics [lock: none]
CREATE SCHEMA analytics;

-- 2. create schema analytics_archive [lock: none]
CREATE SCHEMA analytics_archive;

-- 3. create extension btree_gist: GiST on text, timestamp with time zone columns (analytics.idx_sales_region_category_date) [lock: none]
CREATE EXTENSION btree_gist;

-- 4. create table analytics.product_metrics [lock: none]
CREATE TABLE analytics.product_metrics (
    product_id uuid DEFAULT gen_random_uuid() NOT NULL,
    total_sales numeric(12,2),
    total_quantity integer,
    first_sale_date timestamp with time zone,
    last_sale_date timestamp with time zone,
    avg_sale_price numeric(10,2),
    sales_velocity numeric(5,2),
    CONSTRAINT product_metrics_pkey PRIMARY KEY (product_id)
);

-- 5. mark table:analytics.product_metrics as managed by specql [lock: none]
COMMENT ON TABLE analytics.product_metrics IS 'specql:entity=ProductMetrics;columns=product_id,total_sales,total_quantity,first_sale_date,last_sale_date,avg_sale_price,sales_velocity';

-- 6. create table analytics.customer_metrics [lock: none]
CREATE TABLE analytics.customer_metrics (
    customer_id uuid DEFAULT gen_random_uuid() NOT NULL,
    total_spent numeric(12,2),
    total_orders integer,
    avg_order_value numeric(10,2),
    last_order_date timestamp with time zone,
    customer_segment text,
    CONSTRAINT customer_metrics_pkey PRIMARY KEY (customer_id)
);

-- 7. mark table:analytics.customer_metrics as managed by specql [lock: none]
COMMENT ON TABLE analytics.customer_metrics IS 'specql:entity=CustomerMetrics;columns=customer_id,total_spent,total_orders,avg_order_value,last_order_date,customer_segment';

-- 8. create table analytics.category_metrics [lock: none]
CREATE TABLE analytics.category_metrics (
    category text NOT NULL,
    total_sales numeric(14,2),
    total_transactions bigint,
    CONSTRAINT category_metrics_pkey PRIMARY KEY (category)
);

-- 9. mark table:analytics.category_metrics as managed by specql [lock: none]
COMMENT ON TABLE analytics.category_metrics IS 'specql:entity=CategoryMetrics;columns=category,total_sales,total_transactions';

-- 10. create partitioned table (by range of transaction_date) analytics.sales_transaction [lock: none]
CREATE TABLE analytics.sales_transaction (
    transaction_id uuid DEFAULT gen_random_uuid() NOT NULL,
    customer_id uuid,
    product_id uuid,
    quantity integer,
    unit_price numeric(10,2),
    total_amount numeric(10,2),
    transaction_date timestamp with time zone NOT NULL,
    payment_method text,
    region text,
    category text,
    CONSTRAINT sales_transaction_pkey PRIMARY KEY (transaction_id, transaction_date)
) PARTITION BY RANGE (transaction_date);

-- 11. mark table:analytics.sales_transaction as managed by specql [lock: none]
COMMENT ON TABLE analytics.sales_transaction IS 'specql:entity=SalesTransaction;columns=transaction_id,customer_id,product_id,quantity,unit_price,total_amount,transaction_date,payment_method,region,category';

-- 12. create queue table analytics.update_performance_metrics_queue [lock: none]
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

-- 13. mark table:analytics.update_performance_metrics_queue as managed by specql [lock: none]
COMMENT ON TABLE analytics.update_performance_metrics_queue IS 'specql:entity=SalesTransaction;role=queue;columns=id,customer_id,product_id,quantity,total_amount,transaction_date,category,queued_at';

-- 14. create partition analytics.sales_transaction_p2024_01 of analytics.sales_transaction [2024-01-01T00:00:00Z, 2024-02-01T00:00:00Z) [lock: ACCESS EXCLUSIVE]
CREATE TABLE analytics.sales_transaction_p2024_01
    PARTITION OF analytics.sales_transaction
    FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 00:00:00+00');

-- 15. create partition analytics.sales_transaction_p2024_02 of analytics.sales_transaction [2024-02-01T00:00:00Z, 2024-03-01T00:00:00Z) [lock: ACCESS EXCLUSIVE]
CREATE TABLE analytics.sales_transaction_p2024_02
    PARTITION OF analytics.sales_transaction
    FOR VALUES FROM ('2024-02-01 00:00:00+00') TO ('2024-03-01 00:00:00+00');

-- 16. create partition analytics.sales_transaction_p2024_03 of analytics.sales_transaction [2024-03-01T00:00:00Z, 2024-04-01T00:00:00Z) [lock: ACCESS EXCLUSIVE]
CREATE TABLE analytics.sales_transaction_p2024_03
    PARTITION OF analytics.sales_transaction
    FOR VALUES FROM ('2024-03-01 00:00:00+00') TO ('2024-04-01 00:00:00+00');

-- 17. create partition analytics.sales_transaction_p2024_04 of analytics.sales_transaction [2024-04-01T00:00:00Z, 2024-05-01T00:00:00Z) [lock: ACCESS EXCLUSIVE]
CREATE TABLE analytics.sales_transaction_p2024_04
    PARTITION OF analytics.sales_transaction
    FOR VALUES FROM ('2024-04-01 00:00:00+00') TO ('2024-05-01 00:00:00+00');

-- 18. create partition analytics.sales_transaction_p2024_05 of analytics.sales_transaction [2024-05-01T00:00:00Z, 2024-06-01T00:00:00Z) [lock: ACCESS EXCLUSIVE]
CREATE TABLE analytics.sales_transaction_p2024_05
    PARTITION OF analytics.sales_transaction
    FOR VALUES FROM ('2024-05-01 00:00:00+00') TO ('2024-06-01 00:00:00+00');

-- 19. create partition analytics.sales_transaction_p2024_06 of analytics.sales_transaction [2024-06-01T00:00:00Z, 2024-07-01T00:00:00Z) [lock: ACCESS EXCLUSIVE]
CREATE TABLE analytics.sales_transaction_p2024_06
    PARTITION OF analytics.sales_transaction
    FOR VALUES FROM ('2024-06-01 00:00:00+00') TO ('2024-07-01 00:00:00+00');

-- 20. create partition analytics.sales_transaction_default of analytics.sales_transaction DEFAULT [lock: ACCESS EXCLUSIVE]
CREATE TABLE analytics.sales_transaction_default
    PARTITION OF analytics.sales_transaction
    DEFAULT;

-- 21. create btree index analytics.idx_product_metrics_sales on new table analytics.product_metrics (empty: plain build) [lock: SHARE]
CREATE INDEX idx_product_metrics_sales
    ON analytics.product_metrics
    USING btree (total_sales DESC);

-- 22. mark index:analytics.idx_product_metrics_sales as managed by specql [lock: none]
COMMENT ON INDEX analytics.idx_product_metrics_sales IS 'specql:entity=ProductMetrics';

-- 23. create btree index analytics.idx_product_metrics_velocity on new table analytics.product_metrics (empty: plain build) [lock: SHARE]
CREATE INDEX idx_product_metrics_velocity
    ON analytics.product_metrics
    USING btree (sales_velocity DESC);

-- 24. mark index:analytics.idx_product_metrics_velocity as managed by specql [lock: none]
COMMENT ON INDEX analytics.idx_product_metrics_velocity IS 'specql:entity=ProductMetrics';

-- 25. create btree index analytics.idx_customer_metrics_segment on new table analytics.customer_metrics (empty: plain build) [lock: SHARE]
CREATE INDEX idx_customer_metrics_segment
    ON analytics.customer_metrics
    USING btree (customer_segment);

-- 26. mark index:analytics.idx_customer_metrics_segment as managed by specql [lock: none]
COMMENT ON INDEX analytics.idx_customer_metrics_segment IS 'specql:entity=CustomerMetrics';

-- 27. create btree index analytics.idx_customer_metrics_value on new table analytics.customer_metrics (empty: plain build) [lock: SHARE]
CREATE INDEX idx_customer_metrics_value
    ON analytics.customer_metrics
    USING btree (avg_order_value DESC);

-- 28. mark index:analytics.idx_customer_metrics_value as managed by specql [lock: none]
COMMENT ON INDEX analytics.idx_customer_metrics_value IS 'specql:entity=CustomerMetrics';

-- 29. create brin index analytics.idx_sales_transaction_date on new table analytics.sales_transaction and its partitions (empty: plain build) [lock: SHARE]
CREATE INDEX idx_sales_transaction_date
    ON analytics.sales_transaction
    USING brin (transaction_date) WITH (pages_per_range = 128);

-- 30. mark index:analytics.idx_sales_transaction_date as managed by specql [lock: none]
COMMENT ON INDEX analytics.idx_sales_transaction_date IS 'specql:entity=SalesTransaction';

-- 31. create btree index analytics.idx_sales_customer_product on new table analytics.sales_transaction and its partitions (empty: plain build) [lock: SHARE]
CREATE INDEX idx_sales_customer_product
    ON analytics.sales_transaction
    USING btree (customer_id, product_id);

-- 32. mark index:analytics.idx_sales_customer_product as managed by specql [lock: none]
COMMENT ON INDEX analytics.idx_sales_customer_product IS 'specql:entity=SalesTransaction';

-- 33. create gist index analytics.idx_sales_region_category_date on new table analytics.sales_transaction and its partitions (empty: plain build) [lock: SHARE]
CREATE INDEX idx_sales_region_category_date
    ON analytics.sales_transaction
    USING gist (region, category, transaction_date);

-- 34. mark index:analytics.idx_sales_region_category_date as managed by specql [lock: none]
COMMENT ON INDEX analytics.idx_sales_region_category_date IS 'specql:entity=SalesTransaction';

-- 35. create function analytics.update_performance_metrics_enqueue() (workflow update_performance_metrics: enqueue inserted rows, security definer) [lock: none]
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
  RETURN NULL;
END;
$fn$;

-- 36. revoke EXECUTE on analytics.update_performance_metrics_enqueue() from PUBLIC [lock: none]
REVOKE EXECUTE ON FUNCTION analytics.update_performance_metrics_enqueue() FROM PUBLIC;

-- 37. mark function:analytics.update_performance_metrics_enqueue() as managed by specql [lock: none]
COMMENT ON FUNCTION analytics.update_performance_metrics_enqueue() IS 'specql:entity=SalesTransaction';

-- 38. create function analytics.update_performance_metrics_process(integer) (workflow update_performance_metrics: queue processor, security definer) [lock: none]
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

  -- step update_product_metrics: one upsert per ProductMetrics key in the batch, in key order
  -- total_sales = total_sales + transaction.total_amount  (sum)
  -- total_quantity = total_quantity + transaction.quantity  (sum)
  -- first_sale_date = LEAST(first_sale_date, transaction.transaction_date)  (least)
  -- last_sale_date = GREATEST(last_sale_date, transaction.transaction_date)  (greatest)
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

  -- step update_customer_metrics: one upsert per CustomerMetrics key in the batch, in key order
  -- total_spent = total_spent + transaction.total_amount  (sum)
  -- total_orders = total_orders + 1  (sum)
  -- last_order_date = GREATEST(last_order_date, transaction.transaction_date)  (greatest)
  -- avg_order_value = (total_spent + transaction.total_amount) / (total_orders + 1)  (derived)
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

  -- step update_category_metrics: one upsert per CategoryMetrics key in the batch, in key order
  -- total_sales = total_sales + transaction.total_amount  (sum)
  -- total_transactions = total_transactions + 1  (sum)
  INSERT INTO analytics.category_metrics AS m (category, total_sales, total_transactions)
  SELECT a.category,
         a.sum_total_sales,
         a.sum_total_transactions
  FROM (
    SELECT t.category AS category,
           CASE WHEN count(*) = count(t.total_amount) THEN sum(t.total_amount) END AS sum_total_sales,
           1 * count(*) AS sum_total_transactions
    FROM unnest(v_rows) AS t
    WHERE t.category IS NOT NULL
    GROUP BY 1
  ) AS a
  ORDER BY a.category
  ON CONFLICT (category) DO UPDATE
  SET total_sales = m.total_sales + excluded.total_sales,
      total_transactions = m.total_transactions + excluded.total_transactions;

  RETURN cardinality(v_rows);
END;
$fn$;

-- 39. revoke EXECUTE on analytics.update_performance_metrics_process(integer) from PUBLIC [lock: none]
REVOKE EXECUTE ON FUNCTION analytics.update_performance_metrics_process(integer) FROM PUBLIC;

-- 40. mark function:analytics.update_performance_metrics_process(integer) as managed by specql [lock: none]
COMMENT ON FUNCTION analytics.update_performance_metrics_process(integer) IS 'specql:entity=SalesTransaction;defaults=1:5573a61b';

-- 41. create function analytics.bulk_insert_transactions(jsonb) (bulk insert into sales_transaction, security definer) [lock: none]
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
    RAISE EXCEPTION 'p_transactions must be a JSON array of objects, got %', coalesce(jsonb_typeof(p_transactions), 'NULL')
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
        RAISE EXCEPTION 'row %: field "transaction_id" must not be null', v_row USING ERRCODE = '23502';
      END IF;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('transaction_id', v_item -> 'transaction_id')) AS r(transaction_id uuid);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "transaction_id": %', v_row, SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('customer_id', v_item -> 'customer_id')) AS r(customer_id uuid);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "customer_id": %', v_row, SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('product_id', v_item -> 'product_id')) AS r(product_id uuid);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "product_id": %', v_row, SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('quantity', v_item -> 'quantity')) AS r(quantity integer);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "quantity": %', v_row, SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('unit_price', v_item -> 'unit_price')) AS r(unit_price numeric(10,2));
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "unit_price": %', v_row, SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('total_amount', v_item -> 'total_amount')) AS r(total_amount numeric(10,2));
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "total_amount": %', v_row, SQLERRM USING ERRCODE = SQLSTATE;
      END;
      IF NOT v_item ? 'transaction_date' THEN
        RAISE EXCEPTION 'row %: field "transaction_date" is required', v_row USING ERRCODE = '23502';
      END IF;
      IF jsonb_typeof(v_item -> 'transaction_date') = 'null' THEN
        RAISE EXCEPTION 'row %: field "transaction_date" must not be null', v_row USING ERRCODE = '23502';
      END IF;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('transaction_date', v_item -> 'transaction_date')) AS r(transaction_date timestamp with time zone);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "transaction_date": %', v_row, SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('payment_method', v_item -> 'payment_method')) AS r(payment_method text);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "payment_method": %', v_row, SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('region', v_item -> 'region')) AS r(region text);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "region": %', v_row, SQLERRM USING ERRCODE = SQLSTATE;
      END;
      BEGIN
        PERFORM FROM jsonb_to_record(jsonb_build_object('category', v_item -> 'category')) AS r(category text);
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'row %: field "category": %', v_row, SQLERRM USING ERRCODE = SQLSTATE;
      END;
    END LOOP;
    -- No single row or field is at fault (a duplicate key, a missing partition, …): the original error.
    RAISE EXCEPTION USING ERRCODE = v_state, MESSAGE = v_message, DETAIL = coalesce(v_detail, '');
  END;
  RETURN v_inserted;
END;
$fn$;

-- 42. revoke EXECUTE on analytics.bulk_insert_transactions(jsonb) from PUBLIC [lock: none]
REVOKE EXECUTE ON FUNCTION analytics.bulk_insert_transactions(jsonb) FROM PUBLIC;

-- 43. mark function:analytics.bulk_insert_transactions(jsonb) as managed by specql [lock: none]
COMMENT ON FUNCTION analytics.bulk_insert_transactions(jsonb) IS 'specql:entity=SalesTransaction';

-- 44. create function analytics.refresh_product_performance_mv() (materialized view refresh, security definer) [lock: none]
CREATE OR REPLACE FUNCTION analytics.refresh_product_performance_mv()
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.product_performance_mv;
END;
$fn$;

-- 45. revoke EXECUTE on analytics.refresh_product_performance_mv() from PUBLIC [lock: none]
REVOKE EXECUTE ON FUNCTION analytics.refresh_product_performance_mv() FROM PUBLIC;

-- 46. mark function:analytics.refresh_product_performance_mv() as managed by specql [lock: none]
COMMENT ON FUNCTION analytics.refresh_product_performance_mv() IS 'specql:entity=ProductMetrics';

-- 47. create function analytics.sales_transaction_maintain_partitions(date) (partition maintenance, security definer) [lock: none]
CREATE OR REPLACE FUNCTION analytics.sales_transaction_maintain_partitions(p_today date DEFAULT (now() AT TIME ZONE 'UTC')::date)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_parent constant text := 'analytics.sales_transaction';
  v_parent_oid constant oid := 'analytics.sales_transaction'::regclass;
  v_schema constant text := 'analytics';
  v_archive_schema constant text := 'analytics_archive';
  v_column constant text := 'transaction_date';
  v_default constant text := 'analytics.sales_transaction_default';
  v_step constant interval := '1 month';
  v_current constant date := date_trunc('month', p_today::timestamp)::date;
  -- Partitions up to the one containing today, plus 3 ahead.
  v_until constant date := (v_current + 4 * v_step)::date;
  v_cutoff constant date := (v_current - 36 * v_step)::date;
  v_first date := '2024-01-01'::date;
  v_saved_lock_timeout constant text := current_setting('lock_timeout');
  v_saved_datestyle constant text := current_setting('datestyle');
  v_from date;
  v_to date;
  v_name text;
  v_lower text;
  v_upper text;
  v_moved bigint;
  v_partition record;
  v_done text[] := ARRAY[]::text[];
BEGIN
  IF p_today IS NULL THEN
    RAISE EXCEPTION 'p_today must not be NULL';
  END IF;
  -- One run per table at a time: a second caller waits here, then finds nothing to do.
  PERFORM pg_advisory_xact_lock(hashtext('specql:maintain_partitions:analytics.sales_transaction'));
  -- Fail fast (and retry later) rather than queue every reader behind an ACCESS EXCLUSIVE request.
  SET LOCAL lock_timeout = '5s';
  -- Partition bounds are read back as text: make their format independent of the session.
  SET LOCAL datestyle = 'ISO, YMD';

  -- 1. Retention: detach whole partitions that end at or before the cutoff and
  --    move them into the archive schema (no row is copied, so none can be lost).
  FOR v_partition IN
    SELECT n.nspname AS schema, c.relname AS name,
           substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)') AS upper_bound
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE i.inhparent = v_parent_oid
    ORDER BY c.relname
  LOOP
    CONTINUE WHEN v_partition.upper_bound IS NULL
      OR v_partition.upper_bound::timestamp with time zone > (to_char(v_cutoff, 'YYYY-MM-DD') || ' 00:00:00+00')::timestamp with time zone;
    EXECUTE format('ALTER TABLE %s DETACH PARTITION %I.%I', v_parent, v_partition.schema, v_partition.name);
    EXECUTE format('ALTER TABLE %I.%I SET SCHEMA %I', v_partition.schema, v_partition.name, v_archive_schema);
    v_done := v_done || format('archived %I.%I into %I', v_partition.schema, v_partition.name, v_archive_schema);
  END LOOP;
  v_first := greatest(v_first, v_cutoff);

  -- 2. Create the missing partitions in [first, until), oldest first.
  v_from := v_first;
  WHILE v_from < v_until LOOP
    v_to := (v_from + v_step)::date;
    v_name := 'sales_transaction_p' || to_char(v_from, 'YYYY_MM');
    IF NOT EXISTS (
      SELECT 1
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = v_parent_oid AND c.relname = v_name
    ) THEN
      v_lower := to_char(v_from, 'YYYY-MM-DD') || ' 00:00:00+00';
      v_upper := to_char(v_to, 'YYYY-MM-DD') || ' 00:00:00+00';
      -- EXCLUSIVE on the parent: readers continue; writers wait until we commit and then
      -- route by the new partition bounds (an INSERT already routed to DEFAULT would fail
      -- its partition check after ATTACH). Parent first, then partition: the order INSERTs
      -- lock in, so no deadlock.
      EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', v_parent);
      -- Also direct writes into DEFAULT wait until we commit.
      EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', v_default);
      EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)',
                     v_schema, v_name, v_parent);
      -- Rows that arrived early wait in DEFAULT; move them in, or ATTACH would fail.
      EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO %I.%I SELECT * FROM moved',
                     v_default, v_column, v_lower, v_column, v_upper, v_schema, v_name);
      GET DIAGNOSTICS v_moved = ROW_COUNT;
      EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
                     v_parent, v_schema, v_name, v_lower, v_upper);
      v_done := v_done || CASE WHEN v_moved > 0
        THEN format('created %I.%I (moved %s rows from DEFAULT)', v_schema, v_name, v_moved)
        ELSE format('created %I.%I', v_schema, v_name) END;
    END IF;
    v_from := v_to;
  END LOOP;

  -- SET LOCAL lasts until the end of the caller's transaction: give the caller its settings back.
  PERFORM set_config('lock_timeout', v_saved_lock_timeout, true);
  PERFORM set_config('datestyle', v_saved_datestyle, true);
  IF cardinality(v_done) = 0 THEN
    RETURN 'nothing to do';
  END IF;
  RETURN array_to_string(v_done, '; ');
END;
$fn$;

-- 48. revoke EXECUTE on analytics.sales_transaction_maintain_partitions(date) from PUBLIC [lock: none]
REVOKE EXECUTE ON FUNCTION analytics.sales_transaction_maintain_partitions(date) FROM PUBLIC;

-- 49. mark function:analytics.sales_transaction_maintain_partitions(date) as managed by specql [lock: none]
COMMENT ON FUNCTION analytics.sales_transaction_maintain_partitions(date) IS 'specql:entity=SalesTransaction;defaults=1:dd778751';

-- 50. create trigger update_performance_metrics_on_insert on analytics.sales_transaction (AFTER INSERT for each statement, calls update_performance_metrics_enqueue) [lock: SHARE ROW EXCLUSIVE]
CREATE TRIGGER update_performance_metrics_on_insert
  AFTER INSERT ON analytics.sales_transaction
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT
  EXECUTE FUNCTION analytics.update_performance_metrics_enqueue();

-- 51. mark trigger:analytics.sales_transaction.update_performance_metrics_on_insert as managed by specql [lock: none]
COMMENT ON TRIGGER update_performance_metrics_on_insert ON analytics.sales_transaction IS 'specql:entity=SalesTransaction';

-- 52. create materialized view analytics.product_performance_mv (populated now; reads its source like any SELECT) [lock: none]
CREATE MATERIALIZED VIEW analytics.product_performance_mv AS
SELECT
    product_id,
    total_sales,
    total_quantity,
    first_sale_date,
    last_sale_date,
    ROUND(total_sales / NULLIF(total_quantity, 0), 2) AS avg_sale_price,
    ROUND(total_quantity / GREATEST(EXTRACT(EPOCH FROM last_sale_date - first_sale_date) / 86400, 1), 2) AS sales_velocity
FROM analytics.product_metrics
WITH DATA;

-- 53. create unique index analytics.product_performance_mv_key on analytics.product_performance_mv (needed by REFRESH CONCURRENTLY) [lock: none]
CREATE UNIQUE INDEX product_performance_mv_key
    ON analytics.product_performance_mv (product_id);

-- 54. mark materialized_view:analytics.product_performance_mv as managed by specql [lock: none]
COMMENT ON MATERIALIZED VIEW analytics.product_performance_mv IS 'specql:entity=ProductMetrics;sha=24e19d205d0d';
