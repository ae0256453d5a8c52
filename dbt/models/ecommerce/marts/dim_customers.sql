with

customers as (

    select * from {{ ref('stg_ecommerce__customers') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

customer_orders as (

    select
        customer_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        -- Every order counts as placed; only revenue orders count as revenue.
        count(*) as lifetime_order_count,
        count(*) filter (where is_revenue) as lifetime_revenue_order_count,
        sum(items_revenue) filter (where is_revenue) as lifetime_revenue
    from orders
    group by customer_id

),

final as (

    select
        customers.customer_id,
        customers.full_name,
        customers.email,
        customers.segment,
        customers.region,
        customers.signup_date,
        customer_orders.first_order_date,
        customer_orders.last_order_date,
        coalesce(customer_orders.lifetime_order_count, 0) as lifetime_order_count,
        coalesce(customer_orders.lifetime_revenue_order_count, 0)
            as lifetime_revenue_order_count,
        coalesce(customer_orders.lifetime_revenue, 0) as lifetime_revenue,
        customers.updated_at
    from customers
    left join customer_orders
        on customers.customer_id = customer_orders.customer_id

)

select * from final
