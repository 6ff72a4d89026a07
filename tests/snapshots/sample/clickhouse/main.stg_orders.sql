-- SQL model 'stg_orders' (models/staging/stg_orders.sql)
-- compiled for clickhouse; edit the definitions, not this file
CREATE OR REPLACE VIEW main.stg_orders AS
SELECT
  id AS order_id,
  store_id AS location_id,
  customer AS customer_id,
  CAST(round(CAST(toString(subtotal / 100.0) AS Nullable(Decimal(38, 15))), 2) AS Nullable(Decimal(18, 2))) AS subtotal,
  CAST(round(CAST(toString(tax_paid / 100.0) AS Nullable(Decimal(38, 15))), 2) AS Nullable(Decimal(18, 2))) AS tax_paid,
  CAST(round(CAST(toString(order_total / 100.0) AS Nullable(Decimal(38, 15))), 2) AS Nullable(Decimal(18, 2))) AS order_total,
  CAST(ordered_at AS Nullable(DateTime)) AS ordered_at
FROM raw.raw_orders;
