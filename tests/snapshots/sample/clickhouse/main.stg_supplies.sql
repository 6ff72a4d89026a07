-- SQL model 'stg_supplies' (models/staging/stg_supplies.sql)
-- compiled for clickhouse; edit the definitions, not this file
CREATE OR REPLACE VIEW main.stg_supplies AS
SELECT
  id AS supply_id,
  sku AS product_id,
  name AS supply_name,
  CAST(round(CAST(toString(cost / 100.0) AS Nullable(Decimal(38, 15))), 2) AS Nullable(Decimal(18, 2))) AS supply_cost,
  perishable AS is_perishable_supply
FROM raw.raw_supplies;
