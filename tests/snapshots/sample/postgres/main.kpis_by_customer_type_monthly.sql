-- saved query 'kpis_by_customer_type' (models/semantic/north_star.yml:59), export 'kpis_by_customer_type_monthly'
-- grain: metric_time__month, customer__customer_type
-- metrics: revenue, orders, active_customers, average_order_value, revenue_per_customer
-- compiled for postgres; edit the definitions, not this file
CREATE OR REPLACE VIEW main.kpis_by_customer_type_monthly AS
WITH orders__agg AS (
  SELECT
    metric_time__month,
    customer__customer_type,
    SUM(src.order_total) AS order_total,
    SUM(src.order_count) AS order_count,
    COUNT(DISTINCT src.customers_with_orders) AS customers_with_orders
  FROM (
    SELECT
      CAST(DATE_TRUNC('MONTH', orders.ordered_at) AS DATE) AS metric_time__month,
      customer.customer__customer_type AS customer__customer_type,
      orders.order_total AS order_total,
      1 AS order_count,
      orders.customer_id AS customers_with_orders
    FROM main.orders AS orders
    LEFT JOIN (
      SELECT
        customers.customer_type AS customer__customer_type,
        customers.customer_id AS customer
      FROM main.customers AS customers
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
  CAST(order_total AS DOUBLE PRECISION) / NULLIF(CAST(order_count AS DOUBLE PRECISION), 0) AS average_order_value,
  CAST((
    order_total
  ) AS DOUBLE PRECISION) / NULLIF(CAST((
    customers_with_orders
  ) AS DOUBLE PRECISION), 0) AS revenue_per_customer
FROM orders__agg;
COMMENT ON COLUMN main.kpis_by_customer_type_monthly.customer__customer_type IS '''new'' for one order so far, ''returning'' for more.';
COMMENT ON COLUMN main.kpis_by_customer_type_monthly.revenue IS 'What customers paid, tax included.';
COMMENT ON COLUMN main.kpis_by_customer_type_monthly.orders IS 'The number of orders placed.';
COMMENT ON COLUMN main.kpis_by_customer_type_monthly.active_customers IS 'Distinct customers who placed at least one order in the period.';
COMMENT ON COLUMN main.kpis_by_customer_type_monthly.average_order_value IS 'Revenue per order, as the ratio of the sums.';
COMMENT ON COLUMN main.kpis_by_customer_type_monthly.revenue_per_customer IS 'Revenue per active customer';
