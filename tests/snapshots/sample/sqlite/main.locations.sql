-- SQL model 'locations' (models/marts/locations.sql)
-- compiled for sqlite; edit the definitions, not this file
DROP VIEW IF EXISTS main.locations;
CREATE VIEW main.locations AS
SELECT
  location_id,
  location_name,
  tax_rate,
  opened_at
FROM main.stg_locations;
