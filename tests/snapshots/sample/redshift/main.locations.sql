-- SQL model 'locations' (models/marts/locations.sql)
-- compiled for redshift; edit the definitions, not this file
CREATE OR REPLACE VIEW main.locations AS
SELECT
  location_id,
  location_name,
  tax_rate,
  opened_at
FROM main.stg_locations;
