with

order_lines as (

    select * from {{ ref('int_order_lines_enriched') }}

),

revenue_lines as (

    -- Only orders that earned money (not cancelled, not returned).
    select * from order_lines
    where is_revenue

),

daily_totals as (

    select
        order_date,
        category,
        region,
        segment,
        sum(line_revenue) as revenue,
        -- Null when no product of the group is known (category 'unknown').
        sum(line_cost) as cost,
        count(distinct order_id) as order_count,
        count(distinct customer_id) as unique_customers
    from revenue_lines
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
        -- An order spanning two categories counts once in each: AOV is per group.
        revenue / order_count as average_order_value,
        (revenue - cost) / nullif(revenue, 0) as profit_margin
    from daily_totals

)

select * from final
