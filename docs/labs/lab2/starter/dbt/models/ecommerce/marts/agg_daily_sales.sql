with

order_lines as (

    select * from {{ ref('int_order_lines_enriched') }}

),

-- TODO (Lab 2, milestone 4): one row per order_date, category, region and segment, over
-- the lines of revenue orders only (is_revenue):
--   revenue           = sum of line_revenue
--   cost              = sum of line_cost (null when no product of the group is known)
--   order_count       = distinct orders with a line in the group
--   unique_customers  = distinct customers with an order in the group
-- The columns are here already, empty, so the models built on this one keep working.
daily_totals as (

    select
        order_date,
        category,
        region,
        segment,
        cast(null as decimal(38, 2)) as revenue,
        cast(null as decimal(38, 2)) as cost,
        cast(null as bigint) as order_count,
        cast(null as bigint) as unique_customers
    from order_lines
    group by order_date, category, region, segment

),

final as (

    select
        order_date,
        category,
        region,
        segment,
        revenue,
        cost,
        order_count,
        unique_customers,
        -- TODO (Lab 2, milestone 4): revenue per order, and (revenue - cost) / revenue
        -- (null when revenue is 0: nullif).
        cast(null as double) as average_order_value,
        cast(null as double) as profit_margin
    from daily_totals

)

select * from final
