with

customers as (

    select * from {{ ref('dim_customers') }}

),

tiered_customers as (

    -- Value tiers by lifetime revenue; thresholds are project vars (dbt_project.yml).
    select
        segment,
        case
            when lifetime_revenue >= {{ var('value_tier_high_from') }} then 'high'
            when lifetime_revenue >= {{ var('value_tier_mid_from') }} then 'mid'
            when lifetime_revenue > 0 then 'low'
            else 'none'
        end as value_tier,
        lifetime_revenue,
        lifetime_order_count,
        lifetime_revenue_order_count
    from customers

),

segment_tiers as (

    select
        segment,
        value_tier,
        count(*) as customer_count,
        sum(lifetime_revenue) as revenue,
        sum(lifetime_order_count) as order_count,
        sum(lifetime_revenue_order_count) as revenue_order_count
    from tiered_customers
    group by segment, value_tier

),

final as (

    select
        segment,
        value_tier,
        customer_count,
        revenue,
        order_count,
        revenue_order_count,
        revenue / customer_count as revenue_per_customer
    from segment_tiers

)

select * from final
