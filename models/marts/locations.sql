select location_id, location_name, tax_rate, opened_at
from {{ ref('stg_locations') }}
