-- SQL model 'order_items' (models/marts/order_items.sql)
-- compiled for clickhouse; edit the definitions, not this file
CREATE OR REPLACE VIEW main.order_items AS
WITH supply_costs AS (
  SELECT
    product_id,
    SUM(supply_cost) AS supply_cost
  FROM main.stg_supplies
  GROUP BY
    product_id
)
SELECT
  items.order_item_id AS order_item_id,
  items.order_id AS order_id,
  items.product_id AS product_id,
  orders.ordered_at AS ordered_at,
  products.product_price AS product_price,
  products.is_food_item AS is_food_item,
  products.is_drink_item AS is_drink_item,
  supply_costs.supply_cost AS supply_cost
FROM main.stg_order_items AS items
LEFT JOIN main.stg_orders AS orders
  ON items.order_id = orders.order_id
LEFT JOIN main.stg_products AS products
  ON items.product_id = products.product_id
LEFT JOIN supply_costs
  ON items.product_id = supply_costs.product_id;
