-- Total revenue in agg_daily_sales must equal the items revenue of the revenue orders
-- in fct_orders: both come from the same order lines, one per day and group, the other
-- per order. A difference means a join dropped or doubled lines. Returns a row (and so
-- fails) only when the two totals differ.
with

daily_sales as (

    select coalesce(sum(revenue), 0) as revenue
    from {{ ref('agg_daily_sales') }}

),

orders as (

    select coalesce(sum(items_revenue), 0) as revenue
    from {{ ref('fct_orders') }}
    where is_revenue

),

final as (

    select
        daily_sales.revenue as daily_sales_revenue,
        orders.revenue as orders_items_revenue,
        daily_sales.revenue - orders.revenue as difference
    from daily_sales
    cross join orders
    where daily_sales.revenue != orders.revenue

)

select * from final
