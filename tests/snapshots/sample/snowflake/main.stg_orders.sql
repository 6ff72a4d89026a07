-- SQL model 'stg_orders' (models/staging/stg_orders.sql)
-- compiled for snowflake; edit the definitions, not this file
CREATE OR REPLACE VIEW main.stg_orders AS
SELECT
  id AS order_id,
  store_id AS location_id,
  customer AS customer_id,
  (
    subtotal / 100.0
  ) AS subtotal,
  (
    tax_paid / 100.0
  ) AS tax_paid,
  (
    order_total / 100.0
  ) AS order_total,
  CAST(ordered_at AS TIMESTAMPNTZ) AS ordered_at
FROM raw.raw_orders;
