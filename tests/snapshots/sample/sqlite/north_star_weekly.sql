-- saved query 'north_star_weekly' (models/semantic/north_star.yml:22), export 'north_star_weekly'
-- grain: metric_time__week
-- metrics: repeat_customers, active_customers, repeat_rate, orders, revenue, average_order_value
-- compiled for sqlite; edit the definitions, not this file
DROP VIEW IF EXISTS north_star_weekly;
CREATE VIEW north_star_weekly AS
WITH orders__agg1 AS (
  SELECT
    metric_time__week,
    COUNT(DISTINCT src.customers_with_orders__filtered) AS customers_with_orders__filtered
  FROM (
    SELECT
      DATE(orders.ordered_at, 'weekday 0', '-6 days') AS metric_time__week,
      orders.is_repeat_order AS order_id__is_repeat_order,
      orders.customer_id AS customers_with_orders__filtered
    FROM orders AS orders
  ) AS src
  WHERE
    order_id__is_repeat_order
  GROUP BY
    metric_time__week
), orders__agg2 AS (
  SELECT
    metric_time__week,
    COUNT(DISTINCT src.customers_with_orders) AS customers_with_orders,
    SUM(src.order_count) AS order_count,
    SUM(src.order_total) AS order_total
  FROM (
    SELECT
      DATE(orders.ordered_at, 'weekday 0', '-6 days') AS metric_time__week,
      orders.customer_id AS customers_with_orders,
      1 AS order_count,
      orders.order_total AS order_total
    FROM orders AS orders
  ) AS src
  GROUP BY
    metric_time__week
), combined AS (
  SELECT
    metric_time__week,
    MAX(src.customers_with_orders__filtered) AS customers_with_orders__filtered,
    MAX(src.customers_with_orders) AS customers_with_orders,
    MAX(src.order_count) AS order_count,
    MAX(src.order_total) AS order_total
  FROM (
    SELECT
      orders__agg1.metric_time__week,
      orders__agg1.customers_with_orders__filtered,
      orders__agg2.customers_with_orders,
      orders__agg2.order_count,
      orders__agg2.order_total
    FROM orders__agg1
    CROSS JOIN orders__agg2
    WHERE
      1 = 0
    UNION ALL
    SELECT
      metric_time__week,
      customers_with_orders__filtered,
      NULL AS customers_with_orders,
      NULL AS order_count,
      NULL AS order_total
    FROM orders__agg1
    UNION ALL
    SELECT
      metric_time__week,
      NULL AS customers_with_orders__filtered,
      customers_with_orders,
      order_count,
      order_total
    FROM orders__agg2
  ) AS src
  GROUP BY
    metric_time__week
)
SELECT
  metric_time__week,
  customers_with_orders__filtered AS repeat_customers,
  customers_with_orders AS active_customers,
  CAST(customers_with_orders__filtered AS REAL) / NULLIF(CAST(customers_with_orders AS REAL), 0) AS repeat_rate,
  order_count AS orders,
  order_total AS revenue,
  CAST(order_total AS REAL) / NULLIF(CAST(order_count AS REAL), 0) AS average_order_value
FROM combined;
