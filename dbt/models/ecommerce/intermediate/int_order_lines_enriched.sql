with

order_items as (

    select * from {{ ref('stg_ecommerce__order_items') }}

),

orders as (

    select * from {{ ref('stg_ecommerce__orders') }}

),

products as (

    select * from {{ ref('stg_ecommerce__products') }}

),

customers as (

    select * from {{ ref('stg_ecommerce__customers') }}

),

order_lines as (

    -- Inner join: a line whose order is not in silver (the order was quarantined) has
    -- no status, date or customer we can trust, so it does not count anywhere in gold.
    -- Product and customer are left joins: a line stays even if the catalogue or the
    -- CRM has not delivered (or has quarantined) its product or customer.
    select
        order_items.order_id,
        order_items.line_number,
        orders.customer_id,
        order_items.product_id,
        orders.order_ts,
        cast(orders.order_ts as date) as order_date,
        orders.status,
        orders.is_revenue,
        coalesce(products.category, 'unknown') as category,
        coalesce(customers.region, 'unknown') as region,
        coalesce(customers.segment, 'unknown') as segment,
        order_items.quantity,
        order_items.unit_price,
        products.unit_cost,
        order_items.quantity * order_items.unit_price as line_revenue,
        -- Null when the product is unknown: we cannot know what the line cost us.
        order_items.quantity * products.unit_cost as line_cost
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    left join products
        on order_items.product_id = products.product_id
    left join customers
        on orders.customer_id = customers.customer_id

),

final as (

    select * from order_lines

)

select * from final
