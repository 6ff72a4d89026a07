-- saved query 'kpis_by_customer_type' (models/semantic/north_star.yml:59), export 'kpis_by_customer_type_monthly'
-- grain: metric_time__month, customer__customer_type
-- metrics: revenue, orders, active_customers, average_order_value, revenue_per_customer
-- compiled for sqlite; edit the definitions, not this file
DROP VIEW IF EXISTS kpis_by_customer_type_monthly;
CREATE VIEW kpis_by_customer_type_monthly AS
WITH orders__agg AS (
  SELECT
    metric_time__month,
    customer__customer_type,
    SUM(src.order_total) AS order_total,
    SUM(src.order_count) AS order_count,
    COUNT(DISTINCT src.customers_with_orders) AS customers_with_orders
  FROM (
    SELECT
      DATE(orders.ordered_at, 'start of month') AS metric_time__month,
      customer.customer__customer_type AS customer__customer_type,
      orders.order_total AS order_total,
      1 AS order_count,
      orders.customer_id AS customers_with_orders
    FROM orders AS orders
    LEFT JOIN (
      SELECT
        customers.customer_type AS customer__customer_type,
        customers.customer_id AS customer
      FROM customers AS customers
    ) AS customer
      ON orders.customer_id = customer.customer
  ) AS src
  GROUP BY
    metric_time__month,
    customer__customer_type
)
SELECT
  metric_time__month,
  customer__customer_type,
  order_total AS revenue,
  order_count AS orders,
  customers_with_orders AS active_customers,
  CAST(order_total AS REAL) / NULLIF(CAST(order_count AS REAL), 0) AS average_order_value,
  CAST((
    order_total
  ) AS REAL) / NULLIF(CAST((
    customers_with_orders
  ) AS REAL), 0) AS revenue_per_customer
FROM orders__agg;
