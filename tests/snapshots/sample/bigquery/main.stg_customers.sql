-- SQL model 'stg_customers' (models/staging/stg_customers.sql)
-- compiled for bigquery; edit the definitions, not this file
CREATE OR REPLACE VIEW main.stg_customers AS
SELECT
  id AS customer_id,
  name AS customer_name
FROM raw.raw_customers;
