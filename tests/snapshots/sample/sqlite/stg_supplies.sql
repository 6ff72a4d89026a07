-- SQL model 'stg_supplies' (models/staging/stg_supplies.sql)
-- compiled for sqlite; edit the definitions, not this file
DROP VIEW IF EXISTS stg_supplies;
CREATE VIEW stg_supplies AS
SELECT
  id AS supply_id,
  sku AS product_id,
  name AS supply_name,
  CAST(ROUND(CAST(cost AS REAL) / 100.0, 2) AS REAL(18, 2)) AS supply_cost,
  perishable AS is_perishable_supply
FROM raw_supplies;
