-- SQL model 'customers' (models/marts/customers.sql)
-- compiled for clickhouse; edit the definitions, not this file
CREATE OR REPLACE VIEW main.customers AS
WITH order_summary AS (
  SELECT
    customer_id,
    MIN(ordered_at) AS first_ordered_at,
    MAX(ordered_at) AS last_ordered_at,
    COUNT(*) AS lifetime_orders,
    SUM(order_total) AS lifetime_spend
  FROM main.stg_orders
  GROUP BY
    customer_id
)
SELECT
  customers.customer_id AS customer_id,
  customers.customer_name AS customer_name,
  order_summary.first_ordered_at AS first_ordered_at,
  order_summary.last_ordered_at AS last_ordered_at,
  COALESCE(order_summary.lifetime_orders, 0) AS lifetime_orders,
  COALESCE(order_summary.lifetime_spend, 0) AS lifetime_spend,
  CASE WHEN order_summary.lifetime_orders > 1 THEN 'returning' ELSE 'new' END AS customer_type
FROM main.stg_customers AS customers
LEFT JOIN order_summary
  ON customers.customer_id = order_summary.customer_id;
