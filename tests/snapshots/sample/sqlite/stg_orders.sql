-- SQL model 'stg_orders' (models/staging/stg_orders.sql)
-- compiled for sqlite; edit the definitions, not this file
DROP VIEW IF EXISTS stg_orders;
CREATE VIEW stg_orders AS
SELECT
  id AS order_id,
  store_id AS location_id,
  customer AS customer_id,
  CAST(ROUND(CAST(subtotal AS REAL) / 100.0, 2) AS REAL(18, 2)) AS subtotal,
  CAST(ROUND(CAST(tax_paid AS REAL) / 100.0, 2) AS REAL(18, 2)) AS tax_paid,
  CAST(ROUND(CAST(order_total AS REAL) / 100.0, 2) AS REAL(18, 2)) AS order_total,
  DATETIME(ordered_at) AS ordered_at
FROM raw_orders;
