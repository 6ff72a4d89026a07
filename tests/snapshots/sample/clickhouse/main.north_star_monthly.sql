-- saved query 'north_star_monthly' (models/semantic/north_star.yml:2), export 'north_star_monthly'
-- grain: metric_time__month
-- metrics: repeat_customers, active_customers, repeat_rate, orders, revenue, average_order_value, new_customers, food_share
-- compiled for clickhouse; edit the definitions, not this file
CREATE OR REPLACE VIEW main.north_star_monthly AS
WITH orders__agg1 AS (
  SELECT
    metric_time__month,
    COUNT(DISTINCT src.customers_with_orders__filtered) AS customers_with_orders__filtered
  FROM (
    SELECT
      toDate(dateTrunc('MONTH', orders.ordered_at)) AS metric_time__month,
      orders.is_repeat_order AS order_id__is_repeat_order,
      orders.customer_id AS customers_with_orders__filtered
    FROM main.orders AS orders
  ) AS src
  WHERE
    order_id__is_repeat_order
  GROUP BY
    metric_time__month
), orders__agg2 AS (
  SELECT
    metric_time__month,
    COUNT(DISTINCT src.customers_with_orders) AS customers_with_orders,
    SUM(src.order_count) AS order_count,
    SUM(src.order_total) AS order_total
  FROM (
    SELECT
      toDate(dateTrunc('MONTH', orders.ordered_at)) AS metric_time__month,
      orders.customer_id AS customers_with_orders,
      1 AS order_count,
      orders.order_total AS order_total
    FROM main.orders AS orders
  ) AS src
  GROUP BY
    metric_time__month
), customers__agg3 AS (
  SELECT
    metric_time__month,
    COUNT(DISTINCT src.new_customers__2) AS new_customers__2
  FROM (
    SELECT
      toDate(dateTrunc('MONTH', customers.first_ordered_at)) AS metric_time__month,
      customers.customer_id AS new_customers__2
    FROM main.customers AS customers
  ) AS src
  GROUP BY
    metric_time__month
), order_items__agg4 AS (
  SELECT
    metric_time__month,
    SUM(src.product_revenue__filtered) AS product_revenue__filtered
  FROM (
    SELECT
      toDate(dateTrunc('MONTH', order_items.ordered_at)) AS metric_time__month,
      order_items.is_food_item AS order_item__is_food_item,
      order_items.product_price AS product_revenue__filtered
    FROM main.order_items AS order_items
  ) AS src
  WHERE
    order_item__is_food_item
  GROUP BY
    metric_time__month
), order_items__agg5 AS (
  SELECT
    metric_time__month,
    SUM(src.product_revenue) AS product_revenue
  FROM (
    SELECT
      toDate(dateTrunc('MONTH', order_items.ordered_at)) AS metric_time__month,
      order_items.product_price AS product_revenue
    FROM main.order_items AS order_items
  ) AS src
  GROUP BY
    metric_time__month
), combined AS (
  SELECT
    metric_time__month,
    MAX(src.customers_with_orders__filtered) AS customers_with_orders__filtered,
    MAX(src.customers_with_orders) AS customers_with_orders,
    MAX(src.order_count) AS order_count,
    MAX(src.order_total) AS order_total,
    MAX(src.new_customers__2) AS new_customers__2,
    MAX(src.product_revenue__filtered) AS product_revenue__filtered,
    MAX(src.product_revenue) AS product_revenue
  FROM (
    SELECT
      orders__agg1.metric_time__month AS metric_time__month,
      orders__agg1.customers_with_orders__filtered AS customers_with_orders__filtered,
      orders__agg2.customers_with_orders AS customers_with_orders,
      orders__agg2.order_count AS order_count,
      orders__agg2.order_total AS order_total,
      customers__agg3.new_customers__2 AS new_customers__2,
      order_items__agg4.product_revenue__filtered AS product_revenue__filtered,
      order_items__agg5.product_revenue AS product_revenue
    FROM orders__agg1
    CROSS JOIN orders__agg2
    CROSS JOIN customers__agg3
    CROSS JOIN order_items__agg4
    CROSS JOIN order_items__agg5
    WHERE
      1 = 0
    UNION ALL
    SELECT
      metric_time__month,
      customers_with_orders__filtered,
      NULL AS customers_with_orders,
      NULL AS order_count,
      NULL AS order_total,
      NULL AS new_customers__2,
      NULL AS product_revenue__filtered,
      NULL AS product_revenue
    FROM orders__agg1
    UNION ALL
    SELECT
      metric_time__month,
      NULL AS customers_with_orders__filtered,
      customers_with_orders,
      order_count,
      order_total,
      NULL AS new_customers__2,
      NULL AS product_revenue__filtered,
      NULL AS product_revenue
    FROM orders__agg2
    UNION ALL
    SELECT
      metric_time__month,
      NULL AS customers_with_orders__filtered,
      NULL AS customers_with_orders,
      NULL AS order_count,
      NULL AS order_total,
      new_customers__2,
      NULL AS product_revenue__filtered,
      NULL AS product_revenue
    FROM customers__agg3
    UNION ALL
    SELECT
      metric_time__month,
      NULL AS customers_with_orders__filtered,
      NULL AS customers_with_orders,
      NULL AS order_count,
      NULL AS order_total,
      NULL AS new_customers__2,
      product_revenue__filtered,
      NULL AS product_revenue
    FROM order_items__agg4
    UNION ALL
    SELECT
      metric_time__month,
      NULL AS customers_with_orders__filtered,
      NULL AS customers_with_orders,
      NULL AS order_count,
      NULL AS order_total,
      NULL AS new_customers__2,
      NULL AS product_revenue__filtered,
      product_revenue
    FROM order_items__agg5
  ) AS src
  GROUP BY
    metric_time__month
)
SELECT
  metric_time__month,
  customers_with_orders__filtered AS repeat_customers,
  customers_with_orders AS active_customers,
  CAST(customers_with_orders__filtered AS Nullable(Float64)) / nullIf(CAST(customers_with_orders AS Nullable(Float64)), 0) AS repeat_rate,
  order_count AS orders,
  order_total AS revenue,
  CAST(order_total AS Nullable(Float64)) / nullIf(CAST(order_count AS Nullable(Float64)), 0) AS average_order_value,
  new_customers__2 AS new_customers,
  CAST(product_revenue__filtered AS Nullable(Float64)) / nullIf(CAST(product_revenue AS Nullable(Float64)), 0) AS food_share
FROM combined;
