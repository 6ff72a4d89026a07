-- saved query 'kpis_by_location' (models/semantic/north_star.yml:41), export 'kpis_by_location_monthly'
-- grain: metric_time__month, location__location_name
-- metrics: revenue, orders, active_customers, repeat_customers, average_order_value, gross_profit
-- compiled for clickhouse; edit the definitions, not this file
CREATE OR REPLACE VIEW main.kpis_by_location_monthly AS
WITH orders__agg1 AS (
  SELECT
    metric_time__month,
    location__location_name,
    SUM(src.order_total) AS order_total,
    SUM(src.order_count) AS order_count,
    COUNT(DISTINCT src.customers_with_orders) AS customers_with_orders,
    SUM(src.tax_paid) AS tax_paid,
    SUM(src.order_cost) AS order_cost
  FROM (
    SELECT
      toDate(dateTrunc('MONTH', orders.ordered_at)) AS metric_time__month,
      location.location__location_name AS location__location_name,
      orders.order_total AS order_total,
      1 AS order_count,
      orders.customer_id AS customers_with_orders,
      orders.tax_paid AS tax_paid,
      orders.order_cost AS order_cost
    FROM main.orders AS orders
    LEFT JOIN (
      SELECT
        locations.location_name AS location__location_name,
        locations.location_id AS location
      FROM main.locations AS locations
    ) AS location
      ON orders.location_id = location.location
  ) AS src
  GROUP BY
    metric_time__month,
    location__location_name
), orders__agg2 AS (
  SELECT
    metric_time__month,
    location__location_name,
    COUNT(DISTINCT src.customers_with_orders__filtered) AS customers_with_orders__filtered
  FROM (
    SELECT
      toDate(dateTrunc('MONTH', orders.ordered_at)) AS metric_time__month,
      location.location__location_name AS location__location_name,
      orders.is_repeat_order AS order_id__is_repeat_order,
      orders.customer_id AS customers_with_orders__filtered
    FROM main.orders AS orders
    LEFT JOIN (
      SELECT
        locations.location_name AS location__location_name,
        locations.location_id AS location
      FROM main.locations AS locations
    ) AS location
      ON orders.location_id = location.location
  ) AS src
  WHERE
    order_id__is_repeat_order
  GROUP BY
    metric_time__month,
    location__location_name
), combined AS (
  SELECT
    metric_time__month,
    location__location_name,
    MAX(src.order_total) AS order_total,
    MAX(src.order_count) AS order_count,
    MAX(src.customers_with_orders) AS customers_with_orders,
    MAX(src.tax_paid) AS tax_paid,
    MAX(src.order_cost) AS order_cost,
    MAX(src.customers_with_orders__filtered) AS customers_with_orders__filtered
  FROM (
    SELECT
      orders__agg1.metric_time__month AS metric_time__month,
      orders__agg1.location__location_name AS location__location_name,
      orders__agg1.order_total AS order_total,
      orders__agg1.order_count AS order_count,
      orders__agg1.customers_with_orders AS customers_with_orders,
      orders__agg1.tax_paid AS tax_paid,
      orders__agg1.order_cost AS order_cost,
      orders__agg2.customers_with_orders__filtered AS customers_with_orders__filtered
    FROM orders__agg1
    CROSS JOIN orders__agg2
    WHERE
      1 = 0
    UNION ALL
    SELECT
      metric_time__month,
      location__location_name,
      order_total,
      order_count,
      customers_with_orders,
      tax_paid,
      order_cost,
      NULL AS customers_with_orders__filtered
    FROM orders__agg1
    UNION ALL
    SELECT
      metric_time__month,
      location__location_name,
      NULL AS order_total,
      NULL AS order_count,
      NULL AS customers_with_orders,
      NULL AS tax_paid,
      NULL AS order_cost,
      customers_with_orders__filtered
    FROM orders__agg2
  ) AS src
  GROUP BY
    metric_time__month,
    location__location_name
)
SELECT
  metric_time__month,
  location__location_name,
  order_total AS revenue,
  order_count AS orders,
  customers_with_orders AS active_customers,
  customers_with_orders__filtered AS repeat_customers,
  CAST(order_total AS Nullable(Float64)) / nullIf(CAST(order_count AS Nullable(Float64)), 0) AS average_order_value,
  (
    order_total
  ) - (
    order_cost
  ) - (
    tax_paid
  ) AS gross_profit
FROM combined;
