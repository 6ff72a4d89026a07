select
    id as order_id,
    store_id as location_id,
    customer as customer_id,
    {{ cents_to_dollars('subtotal') }} as subtotal,
    {{ cents_to_dollars('tax_paid') }} as tax_paid,
    {{ cents_to_dollars('order_total') }} as order_total,
    cast(ordered_at as timestamp) as ordered_at
from {{ source('jaffle_shop', 'raw_orders') }}
