-- SQL model 'stg_order_items' (models/staging/stg_order_items.sql)
-- compiled for sqlite; edit the definitions, not this file
DROP VIEW IF EXISTS stg_order_items;
CREATE VIEW stg_order_items AS
SELECT
  id AS order_item_id,
  order_id,
  sku AS product_id
FROM raw_items;
