-- SQL model 'products' (models/marts/products.sql)
-- compiled for sqlite; edit the definitions, not this file
DROP VIEW IF EXISTS products;
CREATE VIEW products AS
SELECT
  product_id,
  product_name,
  product_type,
  product_price,
  is_food_item,
  is_drink_item
FROM stg_products;
