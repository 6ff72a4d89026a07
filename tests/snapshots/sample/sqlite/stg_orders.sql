-- SQL model 'stg_orders' (models/staging/stg_orders.sql)
-- compiled for sqlite; edit the definitions, not this file
DROP VIEW IF EXISTS stg_orders;
CREATE VIEW stg_orders AS
SELECT
  id AS order_id,
  store_id AS location_id,
  customer AS customer_id,
  CAST(CAST(subtotal AS REAL) / 100.0 AS REAL(18, 2)) AS subtotal,
  CAST(CAST(tax_paid AS REAL) / 100.0 AS REAL(18, 2)) AS tax_paid,
  CAST(CAST(order_total AS REAL) / 100.0 AS REAL(18, 2)) AS order_total,
  DATETIME(ordered_at) AS ordered_at
FROM raw_orders;
