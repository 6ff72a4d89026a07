-- SQL model 'stg_order_items' (models/staging/stg_order_items.sql)
-- compiled for tsql; edit the definitions, not this file
CREATE OR ALTER VIEW main.stg_order_items AS
SELECT
  id AS order_item_id,
  order_id,
  sku AS product_id
FROM raw.raw_items;
