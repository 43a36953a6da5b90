-- specql runs this with the search_path pinned: built-ins only, every relation qualified.
SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false);

-- 1. create schema analytics [lock: none]
CREATE SCHEMA analytics;

-- 2. create schema analytics_archive [lock: none]
CREATE SCHEMA analytics_archive;

-- 3. create schema specql [lock: none]
CREATE SCHEMA specql;

-- 4. create extension btree_gist: GiST on text, timestamp with time zone columns (analytics.idx_sales_region_category_date) [lock: none]
CREATE EXTENSION btree_gist SCHEMA analytics;

-- 5. create table analytics.product_metrics [lock: none]
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

-- 6. mark table:analytics.product_metrics as managed by specql [lock: none]
COMMENT ON TABLE analytics.product_metrics IS 'specql:entity=ProductMetrics;columns=product_id,total_sales,total_quantity,first_sale_date,last_sale_date,avg_sale_price,sales_velocity';

-- 7. create table analytics.customer_metrics [lock: none]
CREATE TABLE analytics.customer_metrics (
    customer_id uuid DEFAULT gen_random_uuid() NOT NULL,
    total_spent numeric(12,2),
    total_orders integer,
    avg_order_value numeric(10,2),
    last_order_date timestamp with time zone,
    customer_segment text,
    CONSTRAINT customer_metrics_pkey PRIMARY KEY (customer_id)
);

-- 8. mark table:analytics.customer_metrics as managed by specql [lock: none]
COMMENT ON TABLE analytics.customer_metrics IS 'specql:entity=CustomerMetrics;columns=customer_id,total_spent,total_orders,avg_order_value,last_order_date,customer_segment';

-- 9. create table analytics.category_metrics [lock: none]
CREATE TABLE analytics.category_metrics (
    category text NOT NULL,
    total_sales numeric(14,2),
    total_transactions bigint,
    CONSTRAINT category_metrics_pkey PRIMARY KEY (category)
);

-- 10. mark table:analytics.category_metrics as managed by specql [lock: none]
COMMENT ON TABLE analytics.category_metrics IS 'specql:entity=CategoryMetrics;columns=category,total_sales,total_transactions';

-- 11. create partitioned table (by range of transaction_date) analytics.sales_transaction [lock: none]
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

-- 12. mark table:analytics.sales_transaction as managed by specql (comment: marker and description) [lock: none]
COMMENT ON TABLE analytics.sales_transaction IS 'specql:entity=SalesTransaction;columns=transaction_id,customer_id,product_id,quantity,unit_price,total_amount,transaction_date,payment_method,region,category
High-performance sales transaction processing';

-- 13. create table specql.run_log [lock: none]
CREATE TABLE specql.run_log (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    task text NOT NULL,
    target text NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone NOT NULL,
    rows bigint,
    error text,
    detail text,
    worker text NOT NULL,
    CONSTRAINT run_log_pkey PRIMARY KEY (id)
);

-- 14. mark table:specql.run_log as managed by specql [lock: none]
COMMENT ON TABLE specql.run_log IS 'specql:entity=;columns=id,task,target,started_at,finished_at,rows,error,detail,worker';

-- 15. create queue table analytics.update_performance_metrics_queue [lock: none]
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

-- 16. mark table:analytics.update_performance_metrics_queue as managed by specql [lock: none]
COMMENT ON TABLE analytics.update_performance_metrics_queue IS 'specql:entity=SalesTransaction;role=queue;columns=id,customer_id,product_id,quantity,total_amount,transaction_date,category,queued_at';

-- 17. create partition analytics.sales_transaction_p2024_01 of analytics.sales_transaction [2024-01-01T00:00:00Z, 2024-02-01T00:00:00Z) [lock: ACCESS EXCLUSIVE]
CREATE TABLE analytics.sales_transaction_p2024_01
    PARTITION OF analytics.sales_transaction
    FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 00:00:00+00');

-- 18. create partition analytics.sales_transaction_p2024_02 of analytics.sales_transaction [2024-02-01T00:00:00Z, 2024-03-01T00:00:00Z) [lock: ACCESS EXCLUSIVE]
CREATE TABLE analytics.sales_transaction_p2024_02
    PARTITION OF analytics.sales_transaction
    FOR VALUES FROM ('2024-02-01 00:00:00+00') TO ('2024-03-01 00:00:00+00');

-- 19. create partition analytics.sales_transaction_p2024_03 of analytics.sales_transaction [2024-03-01T00:00:00Z, 2024-04-01T00:00:00Z) [lock: ACCESS EXCLUSIVE]
CREATE TABLE analytics.sales_transaction_p2024_03
    PARTITION OF analytics.sales_transaction
    FOR VALUES FROM ('2024-03-01 00:00:00+00') TO ('2024-04-01 00:00:00+00');

-- 20. create partition analytics.sales_transaction_p2024_04 of analytics.sales_transaction [2024-04-01T00:00:00Z, 2024-05-01T00:00:00Z) [lock: ACCESS EXCLUSIVE]
CREATE TABLE analytics.sales_transaction_p2024_04
    PARTITION OF analytics.sales_transaction
    FOR VALUES FROM ('2024-04-01 00:00:00+00') TO ('2024-05-01 00:00:00+00');

-- 21. create partition analytics.sales_transaction_p2024_05 of analytics.sales_transaction [2024-05-01T00:00:00Z, 2024-06-01T00:00:00Z) [lock: ACCESS EXCLUSIVE]
CREATE TABLE analytics.sales_transaction_p2024_05
    PARTITION OF analytics.sales_transaction
    FOR VALUES FROM ('2024-05-01 00:00:00+00') TO ('2024-06-01 00:00:00+00');

-- 22. create partition analytics.sales_transaction_p2024_06 of analytics.sales_transaction [2024-06-01T00:00:00Z, 2024-07-01T00:00:00Z) [lock: ACCESS EXCLUSIVE]
CREATE TABLE analytics.sales_transaction_p2024_06
    PARTITION OF analytics.sales_transaction
    FOR VALUES FROM ('2024-06-01 00:00:00+00') TO ('2024-07-01 00:00:00+00');

-- 23. create partition analytics.sales_transaction_default of analytics.sales_transaction DEFAULT [lock: ACCESS EXCLUSIVE]
CREATE TABLE analytics.sales_transaction_default
    PARTITION OF analytics.sales_transaction
    DEFAULT;

-- 24. create btree index analytics.idx_product_metrics_sales on new table analytics.product_metrics (empty: plain build) [lock: SHARE]
CREATE INDEX idx_product_metrics_sales
    ON analytics.product_metrics
    USING btree (total_sales DESC);

-- 25. mark index:analytics.idx_product_metrics_sales as managed by specql [lock: none]
COMMENT ON INDEX analytics.idx_product_metrics_sales IS 'specql:entity=ProductMetrics';

-- 26. create btree index analytics.idx_product_metrics_velocity on new table analytics.product_metrics (empty: plain build) [lock: SHARE]
CREATE INDEX idx_product_metrics_velocity
    ON analytics.product_metrics
    USING btree (sales_velocity DESC);

-- 27. mark index:analytics.idx_product_metrics_velocity as managed by specql [lock: none]
COMMENT ON INDEX analytics.idx_product_metrics_velocity IS 'specql:entity=ProductMetrics';

-- 28. create btree index analytics.idx_customer_metrics_segment on new table analytics.customer_metrics (empty: plain build) [lock: SHARE]
CREATE INDEX idx_customer_metrics_segment
    ON analytics.customer_metrics
    USING btree (customer_segment);

-- 29. mark index:analytics.idx_customer_metrics_segment as managed by specql [lock: none]
COMMENT ON INDEX analytics.idx_customer_metrics_segment IS 'specql:entity=CustomerMetrics';

-- 30. create btree index analytics.idx_customer_metrics_value on new table analytics.customer_metrics (empty: plain build) [lock: SHARE]
CREATE INDEX idx_customer_metrics_value
    ON analytics.customer_metrics
    USING btree (avg_order_value DESC);

-- 31. mark index:analytics.idx_customer_metrics_value as managed by specql [lock: none]
COMMENT ON INDEX analytics.idx_customer_metrics_value IS 'specql:entity=CustomerMetrics';

-- 32. create brin index analytics.idx_sales_transaction_date on only new table analytics.sales_transaction (its partitions' indexes follow, by name) [lock: SHARE]
CREATE INDEX idx_sales_transaction_date
    ON ONLY analytics.sales_transaction
    USING brin (transaction_date) WITH (pages_per_range = 128);

-- 33. create index analytics.sales_transaction_p2024_01_idx_sales_transaction_date on partition analytics.sales_transaction_p2024_01 for idx_sales_transaction_date (partition 1/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_01_idx_sales_transaction_date
    ON analytics.sales_transaction_p2024_01
    USING brin (transaction_date) WITH (pages_per_range = 128);

-- 34. attach index analytics.sales_transaction_p2024_01_idx_sales_transaction_date to analytics.idx_sales_transaction_date (partition 1/7) [lock: none]
ALTER INDEX analytics.idx_sales_transaction_date ATTACH PARTITION analytics.sales_transaction_p2024_01_idx_sales_transaction_date;

-- 35. create index analytics.sales_transaction_p2024_02_idx_sales_transaction_date on partition analytics.sales_transaction_p2024_02 for idx_sales_transaction_date (partition 2/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_02_idx_sales_transaction_date
    ON analytics.sales_transaction_p2024_02
    USING brin (transaction_date) WITH (pages_per_range = 128);

-- 36. attach index analytics.sales_transaction_p2024_02_idx_sales_transaction_date to analytics.idx_sales_transaction_date (partition 2/7) [lock: none]
ALTER INDEX analytics.idx_sales_transaction_date ATTACH PARTITION analytics.sales_transaction_p2024_02_idx_sales_transaction_date;

-- 37. create index analytics.sales_transaction_p2024_03_idx_sales_transaction_date on partition analytics.sales_transaction_p2024_03 for idx_sales_transaction_date (partition 3/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_03_idx_sales_transaction_date
    ON analytics.sales_transaction_p2024_03
    USING brin (transaction_date) WITH (pages_per_range = 128);

-- 38. attach index analytics.sales_transaction_p2024_03_idx_sales_transaction_date to analytics.idx_sales_transaction_date (partition 3/7) [lock: none]
ALTER INDEX analytics.idx_sales_transaction_date ATTACH PARTITION analytics.sales_transaction_p2024_03_idx_sales_transaction_date;

-- 39. create index analytics.sales_transaction_p2024_04_idx_sales_transaction_date on partition analytics.sales_transaction_p2024_04 for idx_sales_transaction_date (partition 4/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_04_idx_sales_transaction_date
    ON analytics.sales_transaction_p2024_04
    USING brin (transaction_date) WITH (pages_per_range = 128);

-- 40. attach index analytics.sales_transaction_p2024_04_idx_sales_transaction_date to analytics.idx_sales_transaction_date (partition 4/7) [lock: none]
ALTER INDEX analytics.idx_sales_transaction_date ATTACH PARTITION analytics.sales_transaction_p2024_04_idx_sales_transaction_date;

-- 41. create index analytics.sales_transaction_p2024_05_idx_sales_transaction_date on partition analytics.sales_transaction_p2024_05 for idx_sales_transaction_date (partition 5/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_05_idx_sales_transaction_date
    ON analytics.sales_transaction_p2024_05
    USING brin (transaction_date) WITH (pages_per_range = 128);

-- 42. attach index analytics.sales_transaction_p2024_05_idx_sales_transaction_date to analytics.idx_sales_transaction_date (partition 5/7) [lock: none]
ALTER INDEX analytics.idx_sales_transaction_date ATTACH PARTITION analytics.sales_transaction_p2024_05_idx_sales_transaction_date;

-- 43. create index analytics.sales_transaction_p2024_06_idx_sales_transaction_date on partition analytics.sales_transaction_p2024_06 for idx_sales_transaction_date (partition 6/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_06_idx_sales_transaction_date
    ON analytics.sales_transaction_p2024_06
    USING brin (transaction_date) WITH (pages_per_range = 128);

-- 44. attach index analytics.sales_transaction_p2024_06_idx_sales_transaction_date to analytics.idx_sales_transaction_date (partition 6/7) [lock: none]
ALTER INDEX analytics.idx_sales_transaction_date ATTACH PARTITION analytics.sales_transaction_p2024_06_idx_sales_transaction_date;

-- 45. create index analytics.sales_transaction_default_idx_sales_transaction_date on partition analytics.sales_transaction_default for idx_sales_transaction_date (partition 7/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_default_idx_sales_transaction_date
    ON analytics.sales_transaction_default
    USING brin (transaction_date) WITH (pages_per_range = 128);

-- 46. attach index analytics.sales_transaction_default_idx_sales_transaction_date to analytics.idx_sales_transaction_date (partition 7/7) [lock: none]
ALTER INDEX analytics.idx_sales_transaction_date ATTACH PARTITION analytics.sales_transaction_default_idx_sales_transaction_date;

-- 47. mark index:analytics.idx_sales_transaction_date as managed by specql [lock: none]
COMMENT ON INDEX analytics.idx_sales_transaction_date IS 'specql:entity=SalesTransaction';

-- 48. create btree index analytics.idx_sales_customer_product on only new table analytics.sales_transaction (its partitions' indexes follow, by name) [lock: SHARE]
CREATE INDEX idx_sales_customer_product
    ON ONLY analytics.sales_transaction
    USING btree (customer_id, product_id);

-- 49. create index analytics.sales_transaction_p2024_01_idx_sales_customer_product on partition analytics.sales_transaction_p2024_01 for idx_sales_customer_product (partition 1/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_01_idx_sales_customer_product
    ON analytics.sales_transaction_p2024_01
    USING btree (customer_id, product_id);

-- 50. attach index analytics.sales_transaction_p2024_01_idx_sales_customer_product to analytics.idx_sales_customer_product (partition 1/7) [lock: none]
ALTER INDEX analytics.idx_sales_customer_product ATTACH PARTITION analytics.sales_transaction_p2024_01_idx_sales_customer_product;

-- 51. create index analytics.sales_transaction_p2024_02_idx_sales_customer_product on partition analytics.sales_transaction_p2024_02 for idx_sales_customer_product (partition 2/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_02_idx_sales_customer_product
    ON analytics.sales_transaction_p2024_02
    USING btree (customer_id, product_id);

-- 52. attach index analytics.sales_transaction_p2024_02_idx_sales_customer_product to analytics.idx_sales_customer_product (partition 2/7) [lock: none]
ALTER INDEX analytics.idx_sales_customer_product ATTACH PARTITION analytics.sales_transaction_p2024_02_idx_sales_customer_product;

-- 53. create index analytics.sales_transaction_p2024_03_idx_sales_customer_product on partition analytics.sales_transaction_p2024_03 for idx_sales_customer_product (partition 3/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_03_idx_sales_customer_product
    ON analytics.sales_transaction_p2024_03
    USING btree (customer_id, product_id);

-- 54. attach index analytics.sales_transaction_p2024_03_idx_sales_customer_product to analytics.idx_sales_customer_product (partition 3/7) [lock: none]
ALTER INDEX analytics.idx_sales_customer_product ATTACH PARTITION analytics.sales_transaction_p2024_03_idx_sales_customer_product;

-- 55. create index analytics.sales_transaction_p2024_04_idx_sales_customer_product on partition analytics.sales_transaction_p2024_04 for idx_sales_customer_product (partition 4/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_04_idx_sales_customer_product
    ON analytics.sales_transaction_p2024_04
    USING btree (customer_id, product_id);

-- 56. attach index analytics.sales_transaction_p2024_04_idx_sales_customer_product to analytics.idx_sales_customer_product (partition 4/7) [lock: none]
ALTER INDEX analytics.idx_sales_customer_product ATTACH PARTITION analytics.sales_transaction_p2024_04_idx_sales_customer_product;

-- 57. create index analytics.sales_transaction_p2024_05_idx_sales_customer_product on partition analytics.sales_transaction_p2024_05 for idx_sales_customer_product (partition 5/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_05_idx_sales_customer_product
    ON analytics.sales_transaction_p2024_05
    USING btree (customer_id, product_id);

-- 58. attach index analytics.sales_transaction_p2024_05_idx_sales_customer_product to analytics.idx_sales_customer_product (partition 5/7) [lock: none]
ALTER INDEX analytics.idx_sales_customer_product ATTACH PARTITION analytics.sales_transaction_p2024_05_idx_sales_customer_product;

-- 59. create index analytics.sales_transaction_p2024_06_idx_sales_customer_product on partition analytics.sales_transaction_p2024_06 for idx_sales_customer_product (partition 6/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_06_idx_sales_customer_product
    ON analytics.sales_transaction_p2024_06
    USING btree (customer_id, product_id);

-- 60. attach index analytics.sales_transaction_p2024_06_idx_sales_customer_product to analytics.idx_sales_customer_product (partition 6/7) [lock: none]
ALTER INDEX analytics.idx_sales_customer_product ATTACH PARTITION analytics.sales_transaction_p2024_06_idx_sales_customer_product;

-- 61. create index analytics.sales_transaction_default_idx_sales_customer_product on partition analytics.sales_transaction_default for idx_sales_customer_product (partition 7/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_default_idx_sales_customer_product
    ON analytics.sales_transaction_default
    USING btree (customer_id, product_id);

-- 62. attach index analytics.sales_transaction_default_idx_sales_customer_product to analytics.idx_sales_customer_product (partition 7/7) [lock: none]
ALTER INDEX analytics.idx_sales_customer_product ATTACH PARTITION analytics.sales_transaction_default_idx_sales_customer_product;

-- 63. mark index:analytics.idx_sales_customer_product as managed by specql [lock: none]
COMMENT ON INDEX analytics.idx_sales_customer_product IS 'specql:entity=SalesTransaction';

-- 64. create gist index analytics.idx_sales_region_category_date on only new table analytics.sales_transaction (its partitions' indexes follow, by name) [lock: SHARE]
CREATE INDEX idx_sales_region_category_date
    ON ONLY analytics.sales_transaction
    USING gist (region, category, transaction_date);

-- 65. create index analytics.sales_transaction_p2024_01_idx_sales_region_category_date on partition analytics.sales_transaction_p2024_01 for idx_sales_region_category_date (partition 1/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_01_idx_sales_region_category_date
    ON analytics.sales_transaction_p2024_01
    USING gist (region, category, transaction_date);

-- 66. attach index analytics.sales_transaction_p2024_01_idx_sales_region_category_date to analytics.idx_sales_region_category_date (partition 1/7) [lock: none]
ALTER INDEX analytics.idx_sales_region_category_date ATTACH PARTITION analytics.sales_transaction_p2024_01_idx_sales_region_category_date;

-- 67. create index analytics.sales_transaction_p2024_02_idx_sales_region_category_date on partition analytics.sales_transaction_p2024_02 for idx_sales_region_category_date (partition 2/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_02_idx_sales_region_category_date
    ON analytics.sales_transaction_p2024_02
    USING gist (region, category, transaction_date);

-- 68. attach index analytics.sales_transaction_p2024_02_idx_sales_region_category_date to analytics.idx_sales_region_category_date (partition 2/7) [lock: none]
ALTER INDEX analytics.idx_sales_region_category_date ATTACH PARTITION analytics.sales_transaction_p2024_02_idx_sales_region_category_date;

-- 69. create index analytics.sales_transaction_p2024_03_idx_sales_region_category_date on partition analytics.sales_transaction_p2024_03 for idx_sales_region_category_date (partition 3/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_03_idx_sales_region_category_date
    ON analytics.sales_transaction_p2024_03
    USING gist (region, category, transaction_date);

-- 70. attach index analytics.sales_transaction_p2024_03_idx_sales_region_category_date to analytics.idx_sales_region_category_date (partition 3/7) [lock: none]
ALTER INDEX analytics.idx_sales_region_category_date ATTACH PARTITION analytics.sales_transaction_p2024_03_idx_sales_region_category_date;

-- 71. create index analytics.sales_transaction_p2024_04_idx_sales_region_category_date on partition analytics.sales_transaction_p2024_04 for idx_sales_region_category_date (partition 4/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_04_idx_sales_region_category_date
    ON analytics.sales_transaction_p2024_04
    USING gist (region, category, transaction_date);

-- 72. attach index analytics.sales_transaction_p2024_04_idx_sales_region_category_date to analytics.idx_sales_region_category_date (partition 4/7) [lock: none]
ALTER INDEX analytics.idx_sales_region_category_date ATTACH PARTITION analytics.sales_transaction_p2024_04_idx_sales_region_category_date;

-- 73. create index analytics.sales_transaction_p2024_05_idx_sales_region_category_date on partition analytics.sales_transaction_p2024_05 for idx_sales_region_category_date (partition 5/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_05_idx_sales_region_category_date
    ON analytics.sales_transaction_p2024_05
    USING gist (region, category, transaction_date);

-- 74. attach index analytics.sales_transaction_p2024_05_idx_sales_region_category_date to analytics.idx_sales_region_category_date (partition 5/7) [lock: none]
ALTER INDEX analytics.idx_sales_region_category_date ATTACH PARTITION analytics.sales_transaction_p2024_05_idx_sales_region_category_date;

-- 75. create index analytics.sales_transaction_p2024_06_idx_sales_region_category_date on partition analytics.sales_transaction_p2024_06 for idx_sales_region_category_date (partition 6/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_p2024_06_idx_sales_region_category_date
    ON analytics.sales_transaction_p2024_06
    USING gist (region, category, transaction_date);

-- 76. attach index analytics.sales_transaction_p2024_06_idx_sales_region_category_date to analytics.idx_sales_region_category_date (partition 6/7) [lock: none]
ALTER INDEX analytics.idx_sales_region_category_date ATTACH PARTITION analytics.sales_transaction_p2024_06_idx_sales_region_category_date;

-- 77. create index analytics.sales_transaction_default_idx_sales_region_category_date on partition analytics.sales_transaction_default for idx_sales_region_category_date (partition 7/7; empty: plain build) [lock: SHARE]
CREATE INDEX sales_transaction_default_idx_sales_region_category_date
    ON analytics.sales_transaction_default
    USING gist (region, category, transaction_date);

-- 78. attach index analytics.sales_transaction_default_idx_sales_region_category_date to analytics.idx_sales_region_category_date (partition 7/7) [lock: none]
ALTER INDEX analytics.idx_sales_region_category_date ATTACH PARTITION analytics.sales_transaction_default_idx_sales_region_category_date;

-- 79. mark index:analytics.idx_sales_region_category_date as managed by specql [lock: none]
COMMENT ON INDEX analytics.idx_sales_region_category_date IS 'specql:entity=SalesTransaction';

-- 80. create btree index specql.run_log_task_target_started on new table specql.run_log (empty: plain build) [lock: SHARE]
CREATE INDEX run_log_task_target_started
    ON specql.run_log
    USING btree (task, target, started_at DESC);

-- 81. mark index:specql.run_log_task_target_started as managed by specql [lock: none]
COMMENT ON INDEX specql.run_log_task_target_started IS 'specql:entity=';

-- 82. create function analytics.update_performance_metrics_enqueue() (workflow update_performance_metrics: enqueue inserted rows, security definer) [lock: none]
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

-- 83. revoke EXECUTE on analytics.update_performance_metrics_enqueue() from PUBLIC [lock: none]
REVOKE EXECUTE ON FUNCTION analytics.update_performance_metrics_enqueue() FROM PUBLIC;

-- 84. mark function:analytics.update_performance_metrics_enqueue() as managed by specql [lock: none]
COMMENT ON FUNCTION analytics.update_performance_metrics_enqueue() IS 'specql:entity=SalesTransaction';

-- 85. create function analytics.update_performance_metrics_process(integer) (workflow update_performance_metrics: queue processor, security definer) [lock: none]
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

-- 86. revoke EXECUTE on analytics.update_performance_metrics_process(integer) from PUBLIC [lock: none]
REVOKE EXECUTE ON FUNCTION analytics.update_performance_metrics_process(integer) FROM PUBLIC;

-- 87. mark function:analytics.update_performance_metrics_process(integer) as managed by specql [lock: none]
COMMENT ON FUNCTION analytics.update_performance_metrics_process(integer) IS 'specql:entity=SalesTransaction;defaults=1:5573a61b';

-- 88. create function analytics.bulk_insert_transactions(jsonb) (bulk insert into sales_transaction, security definer) [lock: none]
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

-- 89. revoke EXECUTE on analytics.bulk_insert_transactions(jsonb) from PUBLIC [lock: none]
REVOKE EXECUTE ON FUNCTION analytics.bulk_insert_transactions(jsonb) FROM PUBLIC;

-- 90. mark function:analytics.bulk_insert_transactions(jsonb) as managed by specql [lock: none]
COMMENT ON FUNCTION analytics.bulk_insert_transactions(jsonb) IS 'specql:entity=SalesTransaction';

-- 91. create function analytics.refresh_product_performance_mv() (materialized view refresh, security definer) [lock: none]
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

-- 92. revoke EXECUTE on analytics.refresh_product_performance_mv() from PUBLIC [lock: none]
REVOKE EXECUTE ON FUNCTION analytics.refresh_product_performance_mv() FROM PUBLIC;

-- 93. mark function:analytics.refresh_product_performance_mv() as managed by specql [lock: none]
COMMENT ON FUNCTION analytics.refresh_product_performance_mv() IS 'specql:entity=ProductMetrics';

-- 94. create function analytics.sales_transaction_maintain_partitions(date) (partition maintenance, security definer) [lock: none]
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
  v_index record;
  v_index_name text;
  v_index_hash text;
  v_late boolean;
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
      -- Child indexes are named <partition>_<index> everywhere (PostgreSQL picked its own names).
      FOR v_index IN
        SELECT c.relname AS child, p.relname AS parent_index
        FROM pg_index x
        JOIN pg_class c ON c.oid = x.indexrelid
        JOIN pg_inherits i ON i.inhrelid = x.indexrelid
        JOIN pg_class p ON p.oid = i.inhparent
        WHERE x.indrelid = format('%I.%I', v_schema, v_name)::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = p.oid)
        ORDER BY 2
      LOOP
        v_index_name := v_name || '_' || v_index.parent_index;
        -- Same rule as fitIdentifier(): names over 63 bytes keep a prefix plus 8 hex digits of sha256.
        IF octet_length(v_index_name) > 63 THEN
          v_index_hash := left(encode(sha256(convert_to(v_index_name, 'UTF8')), 'hex'), 8);
          WHILE octet_length(v_index_name) > 54 LOOP
            v_index_name := left(v_index_name, -1);
          END LOOP;
          v_index_name := v_index_name || '_' || v_index_hash;
        END IF;
        IF v_index.child <> v_index_name THEN
          EXECUTE format('ALTER INDEX %I.%I RENAME TO %I', v_schema, v_index.child, v_index_name);
        END IF;
      END LOOP;
      v_done := v_done || CASE WHEN v_moved > 0
        THEN format('created %I.%I (moved %s rows from DEFAULT)', v_schema, v_name, v_moved)
        ELSE format('created %I.%I', v_schema, v_name) END;
    END IF;
    v_from := v_to;
  END LOOP;

  -- 3. Rows waiting in DEFAULT (late, or beyond the window): each of their intervals gets its
  --    partition, made the same online way, so DEFAULT ends empty. Intervals older than the
  --    retention cutoff go into the archive schema, where their partition would be.
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', v_default) INTO v_late;
  IF v_late THEN
    EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', v_parent);
    EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', v_default);
    FOR v_from IN EXECUTE format('SELECT DISTINCT date_trunc(''month'', (%I AT TIME ZONE ''UTC''))::date FROM %s ORDER BY 1', v_column, v_default) LOOP
      v_to := (v_from + v_step)::date;
      v_name := 'sales_transaction_p' || to_char(v_from, 'YYYY_MM');
      v_lower := to_char(v_from, 'YYYY-MM-DD') || ' 00:00:00+00';
      v_upper := to_char(v_to, 'YYYY-MM-DD') || ' 00:00:00+00';
      IF v_cutoff IS NOT NULL AND v_to <= v_cutoff THEN
        -- Beyond retention: archived like its partition (never attached, never deleted).
        IF to_regclass(format('%I.%I', v_archive_schema, v_name)) IS NULL THEN
          EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)',
                         v_archive_schema, v_name, v_parent);
        END IF;
        EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO %I.%I SELECT * FROM moved',
                       v_default, v_column, v_lower, v_column, v_upper, v_archive_schema, v_name);
        GET DIAGNOSTICS v_moved = ROW_COUNT;
        v_done := v_done || format('archived %s late rows into %I.%I', v_moved, v_archive_schema, v_name);
      ELSE
        EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)',
                       v_schema, v_name, v_parent);
        EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO %I.%I SELECT * FROM moved',
                       v_default, v_column, v_lower, v_column, v_upper, v_schema, v_name);
        GET DIAGNOSTICS v_moved = ROW_COUNT;
        EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
                       v_parent, v_schema, v_name, v_lower, v_upper);
        -- Child indexes are named <partition>_<index> everywhere (PostgreSQL picked its own names).
        FOR v_index IN
          SELECT c.relname AS child, p.relname AS parent_index
          FROM pg_index x
          JOIN pg_class c ON c.oid = x.indexrelid
          JOIN pg_inherits i ON i.inhrelid = x.indexrelid
          JOIN pg_class p ON p.oid = i.inhparent
          WHERE x.indrelid = format('%I.%I', v_schema, v_name)::regclass
            AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = p.oid)
          ORDER BY 2
        LOOP
          v_index_name := v_name || '_' || v_index.parent_index;
          -- Same rule as fitIdentifier(): names over 63 bytes keep a prefix plus 8 hex digits of sha256.
          IF octet_length(v_index_name) > 63 THEN
            v_index_hash := left(encode(sha256(convert_to(v_index_name, 'UTF8')), 'hex'), 8);
            WHILE octet_length(v_index_name) > 54 LOOP
              v_index_name := left(v_index_name, -1);
            END LOOP;
            v_index_name := v_index_name || '_' || v_index_hash;
          END IF;
          IF v_index.child <> v_index_name THEN
            EXECUTE format('ALTER INDEX %I.%I RENAME TO %I', v_schema, v_index.child, v_index_name);
          END IF;
        END LOOP;
        v_done := v_done || format('created %I.%I (moved %s late rows from DEFAULT)', v_schema, v_name, v_moved);
      END IF;
    END LOOP;
  END IF;

  -- SET LOCAL lasts until the end of the caller's transaction: give the caller its settings back.
  PERFORM set_config('lock_timeout', v_saved_lock_timeout, true);
  PERFORM set_config('datestyle', v_saved_datestyle, true);
  IF cardinality(v_done) = 0 THEN
    RETURN 'nothing to do';
  END IF;
  RETURN array_to_string(v_done, '; ');
END;
$fn$;

-- 95. revoke EXECUTE on analytics.sales_transaction_maintain_partitions(date) from PUBLIC [lock: none]
REVOKE EXECUTE ON FUNCTION analytics.sales_transaction_maintain_partitions(date) FROM PUBLIC;

-- 96. mark function:analytics.sales_transaction_maintain_partitions(date) as managed by specql [lock: none]
COMMENT ON FUNCTION analytics.sales_transaction_maintain_partitions(date) IS 'specql:entity=SalesTransaction;defaults=1:dd778751';

-- 97. create trigger update_performance_metrics_on_insert on analytics.sales_transaction (AFTER INSERT for each statement, calls update_performance_metrics_enqueue) [lock: SHARE ROW EXCLUSIVE]
CREATE TRIGGER update_performance_metrics_on_insert
  AFTER INSERT ON analytics.sales_transaction
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT
  EXECUTE FUNCTION analytics.update_performance_metrics_enqueue();

-- 98. mark trigger:analytics.sales_transaction.update_performance_metrics_on_insert as managed by specql [lock: none]
COMMENT ON TRIGGER update_performance_metrics_on_insert ON analytics.sales_transaction IS 'specql:entity=SalesTransaction';

-- 99. create materialized view analytics.product_performance_mv (populated now; reads its source like any SELECT) [lock: none]
CREATE MATERIALIZED VIEW analytics.product_performance_mv AS
SELECT
    product_id,
    total_sales,
    total_quantity,
    first_sale_date,
    last_sale_date,
    round(total_sales / (NULLIF(total_quantity, 0)), 2) AS avg_sale_price,
    round(total_quantity / GREATEST(extract ('epoch' FROM last_sale_date - first_sale_date) / 86400, 1), 2) AS sales_velocity
FROM analytics.product_metrics
WITH DATA;

-- 100. create unique index analytics.product_performance_mv_key on analytics.product_performance_mv (needed by REFRESH CONCURRENTLY) [lock: none]
CREATE UNIQUE INDEX product_performance_mv_key
    ON analytics.product_performance_mv (product_id);

-- 101. mark materialized_view:analytics.product_performance_mv as managed by specql [lock: none]
COMMENT ON MATERIALIZED VIEW analytics.product_performance_mv IS 'specql:entity=ProductMetrics;sha=4be7126541ca';
