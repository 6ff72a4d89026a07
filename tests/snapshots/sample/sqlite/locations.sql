-- SQL model 'locations' (models/marts/locations.sql)
-- compiled for sqlite; edit the definitions, not this file
DROP VIEW IF EXISTS locations;
CREATE VIEW locations AS
SELECT
  location_id,
  location_name,
  tax_rate,
  opened_at
FROM stg_locations;
