-- SQL model 'stg_locations' (models/staging/stg_locations.sql)
-- compiled for tsql; edit the definitions, not this file
CREATE OR ALTER VIEW main.stg_locations AS
SELECT
  id AS location_id,
  name AS location_name,
  tax_rate,
  CAST(opened_at AS DATETIME2) AS opened_at
FROM raw.raw_stores;
