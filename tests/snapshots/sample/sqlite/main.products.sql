-- SQL model 'products' (models/marts/products.sql)
-- compiled for sqlite; edit the definitions, not this file
DROP VIEW IF EXISTS main.products;
CREATE VIEW main.products AS
SELECT
  product_id,
  product_name,
  product_type,
  product_price,
  is_food_item,
  is_drink_item
FROM main.stg_products;
