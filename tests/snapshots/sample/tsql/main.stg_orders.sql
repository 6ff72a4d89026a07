-- SQL model 'stg_orders' (models/staging/stg_orders.sql)
-- compiled for tsql; edit the definitions, not this file
CREATE OR ALTER VIEW main.stg_orders AS
SELECT
  id AS order_id,
  store_id AS location_id,
  customer AS customer_id,
  CAST(CAST(subtotal AS FLOAT) / 100.0 AS NUMERIC(18, 2)) AS subtotal,
  CAST(CAST(tax_paid AS FLOAT) / 100.0 AS NUMERIC(18, 2)) AS tax_paid,
  CAST(CAST(order_total AS FLOAT) / 100.0 AS NUMERIC(18, 2)) AS order_total,
  CAST(ordered_at AS DATETIME2) AS ordered_at
FROM raw.raw_orders;
