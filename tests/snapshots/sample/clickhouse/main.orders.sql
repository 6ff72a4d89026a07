-- SQL model 'orders' (models/marts/orders.sql)
-- compiled for clickhouse; edit the definitions, not this file
CREATE OR REPLACE VIEW main.orders AS
WITH item_summary AS (
  SELECT
    order_id,
    SUM(supply_cost) AS order_cost,
    SUM(CASE WHEN is_food_item THEN 1 ELSE 0 END) AS count_food_items,
    SUM(CASE WHEN is_drink_item THEN 1 ELSE 0 END) AS count_drink_items
  FROM main.order_items
  GROUP BY
    order_id
)
SELECT
  orders.order_id AS order_id,
  orders.location_id AS location_id,
  orders.customer_id AS customer_id,
  orders.subtotal AS subtotal,
  orders.tax_paid AS tax_paid,
  orders.order_total AS order_total,
  orders.ordered_at AS ordered_at,
  COALESCE(item_summary.order_cost, 0) AS order_cost,
  COALESCE(item_summary.count_food_items, 0) > 0 AS is_food_order,
  COALESCE(item_summary.count_drink_items, 0) > 0 AS is_drink_order,
  ROW_NUMBER() OVER (PARTITION BY orders.customer_id ORDER BY orders.ordered_at, orders.order_id) AS customer_order_number,
  ROW_NUMBER() OVER (PARTITION BY orders.customer_id ORDER BY orders.ordered_at, orders.order_id) > 1 AS is_repeat_order
FROM main.stg_orders AS orders
LEFT JOIN item_summary
  ON orders.order_id = item_summary.order_id;
