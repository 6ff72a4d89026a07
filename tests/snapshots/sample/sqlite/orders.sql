-- SQL model 'orders' (models/marts/orders.sql)
-- compiled for sqlite; edit the definitions, not this file
DROP VIEW IF EXISTS orders;
CREATE VIEW orders AS
WITH item_summary AS (
  SELECT
    order_id,
    SUM(supply_cost) AS order_cost,
    SUM(CASE WHEN is_food_item THEN 1 ELSE 0 END) AS count_food_items,
    SUM(CASE WHEN is_drink_item THEN 1 ELSE 0 END) AS count_drink_items
  FROM order_items
  GROUP BY
    order_id
)
SELECT
  orders.order_id,
  orders.location_id,
  orders.customer_id,
  orders.subtotal,
  orders.tax_paid,
  orders.order_total,
  orders.ordered_at,
  COALESCE(item_summary.order_cost, 0) AS order_cost,
  COALESCE(item_summary.count_food_items, 0) > 0 AS is_food_order,
  COALESCE(item_summary.count_drink_items, 0) > 0 AS is_drink_order,
  ROW_NUMBER() OVER (
    PARTITION BY orders.customer_id
    ORDER BY orders.ordered_at NULLS LAST, orders.order_id NULLS LAST
  ) AS customer_order_number,
  ROW_NUMBER() OVER (
    PARTITION BY orders.customer_id
    ORDER BY orders.ordered_at NULLS LAST, orders.order_id NULLS LAST
  ) > 1 AS is_repeat_order
FROM stg_orders AS orders
LEFT JOIN item_summary
  ON orders.order_id = item_summary.order_id;
