-- SQL model 'stg_products' (models/staging/stg_products.sql)
-- compiled for sqlite; edit the definitions, not this file
DROP VIEW IF EXISTS stg_products;
CREATE VIEW stg_products AS
SELECT
  sku AS product_id,
  name AS product_name,
  type AS product_type,
  description AS product_description,
  CAST(ROUND(CAST(price AS REAL) / 100.0, 2) AS REAL(18, 2)) AS product_price,
  type = 'jaffle' AS is_food_item,
  type = 'beverage' AS is_drink_item
FROM raw_products;
