-- SQL model 'stg_orders' (models/staging/stg_orders.sql)
-- compiled for duckdb; edit the definitions, not this file
CREATE OR REPLACE VIEW main.stg_orders AS
SELECT
  id AS order_id,
  store_id AS location_id,
  customer AS customer_id,
  CAST(subtotal / 100.0 AS DECIMAL(18, 2)) AS subtotal,
  CAST(tax_paid / 100.0 AS DECIMAL(18, 2)) AS tax_paid,
  CAST(order_total / 100.0 AS DECIMAL(18, 2)) AS order_total,
  CAST(ordered_at AS TIMESTAMP) AS ordered_at
FROM raw.raw_orders;
