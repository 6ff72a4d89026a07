-- SQL model 'stg_products' (models/staging/stg_products.sql)
-- compiled for clickhouse; edit the definitions, not this file
CREATE OR REPLACE VIEW main.stg_products AS
SELECT
  sku AS product_id,
  name AS product_name,
  type AS product_type,
  description AS product_description,
  CAST(round(CAST(toString(price / 100.0) AS Nullable(Decimal(38, 15))), 2) AS Nullable(Decimal(18, 2))) AS product_price,
  type = 'jaffle' AS is_food_item,
  type = 'beverage' AS is_drink_item
FROM raw.raw_products;
