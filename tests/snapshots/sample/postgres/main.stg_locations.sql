-- SQL model 'stg_locations' (models/staging/stg_locations.sql)
-- compiled for postgres; edit the definitions, not this file
CREATE OR REPLACE VIEW main.stg_locations AS
SELECT
  id AS location_id,
  name AS location_name,
  tax_rate,
  CAST(opened_at AS TIMESTAMP) AS opened_at
FROM raw.raw_stores;
