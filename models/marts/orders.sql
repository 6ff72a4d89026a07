with item_summary as (
    select
        order_id,
        sum(supply_cost) as order_cost,
        sum(case when is_food_item then 1 else 0 end) as count_food_items,
        sum(case when is_drink_item then 1 else 0 end) as count_drink_items
    from {{ ref('order_items') }}
    group by order_id
)

select
    orders.order_id,
    orders.location_id,
    orders.customer_id,
    orders.subtotal,
    orders.tax_paid,
    orders.order_total,
    orders.ordered_at,
    coalesce(item_summary.order_cost, 0) as order_cost,
    coalesce(item_summary.count_food_items, 0) > 0 as is_food_order,
    coalesce(item_summary.count_drink_items, 0) > 0 as is_drink_order,
    row_number() over (
        partition by orders.customer_id order by orders.ordered_at, orders.order_id
    ) as customer_order_number,
    row_number() over (
        partition by orders.customer_id order by orders.ordered_at, orders.order_id
    ) > 1 as is_repeat_order
from {{ ref('stg_orders') }} as orders
left join item_summary on orders.order_id = item_summary.order_id
