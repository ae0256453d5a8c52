with

orders as (

    select * from {{ ref('stg_ecommerce__orders') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_enriched') }}

),

order_line_totals as (

    select
        order_id,
        count(*) as line_count,
        sum(quantity) as item_count,
        sum(line_revenue) as items_revenue,
        -- sum() skips lines of unknown products: their cost is not known.
        sum(line_cost) as items_cost
    from order_lines
    group by order_id

),

final as (

    select
        orders.order_id,
        orders.customer_id,
        orders.order_ts,
        cast(orders.order_ts as date) as order_date,
        orders.status,
        orders.is_revenue,
        orders.payment_method,
        orders.amount,
        -- An order whose lines were all quarantined has no lines in silver.
        coalesce(order_line_totals.line_count, 0) as line_count,
        coalesce(order_line_totals.item_count, 0) as item_count,
        coalesce(order_line_totals.items_revenue, 0) as items_revenue,
        coalesce(order_line_totals.items_cost, 0) as items_cost
    from orders
    left join order_line_totals
        on orders.order_id = order_line_totals.order_id

)

select * from final
