-- SQL model 'stg_locations' (models/staging/stg_locations.sql)
-- compiled for sqlite; edit the definitions, not this file
DROP VIEW IF EXISTS stg_locations;
CREATE VIEW stg_locations AS
SELECT
  id AS location_id,
  name AS location_name,
  tax_rate,
  DATETIME(opened_at) AS opened_at
FROM raw_stores;
