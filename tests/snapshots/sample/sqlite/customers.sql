-- SQL model 'customers' (models/marts/customers.sql)
-- compiled for sqlite; edit the definitions, not this file
DROP VIEW IF EXISTS customers;
CREATE VIEW customers AS
WITH order_summary AS (
  SELECT
    customer_id,
    MIN(ordered_at) AS first_ordered_at,
    MAX(ordered_at) AS last_ordered_at,
    COUNT(*) AS lifetime_orders,
    SUM(order_total) AS lifetime_spend
  FROM stg_orders
  GROUP BY
    customer_id
)
SELECT
  customers.customer_id,
  customers.customer_name,
  order_summary.first_ordered_at,
  order_summary.last_ordered_at,
  COALESCE(order_summary.lifetime_orders, 0) AS lifetime_orders,
  COALESCE(order_summary.lifetime_spend, 0) AS lifetime_spend,
  CASE WHEN order_summary.lifetime_orders > 1 THEN 'returning' ELSE 'new' END AS customer_type
FROM stg_customers AS customers
LEFT JOIN order_summary
  ON customers.customer_id = order_summary.customer_id;
