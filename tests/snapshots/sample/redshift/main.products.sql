-- SQL model 'products' (models/marts/products.sql)
-- compiled for redshift; edit the definitions, not this file
CREATE OR REPLACE VIEW main.products AS
SELECT
  product_id,
  product_name,
  product_type,
  product_price,
  is_food_item,
  is_drink_item
FROM main.stg_products;
