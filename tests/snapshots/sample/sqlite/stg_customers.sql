-- SQL model 'stg_customers' (models/staging/stg_customers.sql)
-- compiled for sqlite; edit the definitions, not this file
DROP VIEW IF EXISTS stg_customers;
CREATE VIEW stg_customers AS
SELECT
  id AS customer_id,
  name AS customer_name
FROM raw_customers;
