with order_summary as (
    select
        customer_id,
        min(ordered_at) as first_ordered_at,
        max(ordered_at) as last_ordered_at,
        count(*) as lifetime_orders,
        sum(order_total) as lifetime_spend
    from {{ ref('stg_orders') }}
    group by customer_id
)

select
    customers.customer_id,
    customers.customer_name,
    order_summary.first_ordered_at,
    order_summary.last_ordered_at,
    coalesce(order_summary.lifetime_orders, 0) as lifetime_orders,
    coalesce(order_summary.lifetime_spend, 0) as lifetime_spend,
    case when order_summary.lifetime_orders > 1 then 'returning' else 'new' end as customer_type
from {{ ref('stg_customers') }} as customers
left join order_summary on customers.customer_id = order_summary.customer_id
