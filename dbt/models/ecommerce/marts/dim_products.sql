with

products as (

    select * from {{ ref('stg_ecommerce__products') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_enriched') }}

),

product_sales as (

    select
        product_id,
        sum(quantity) as units_sold,
        sum(line_revenue) as revenue
    from order_lines
    where is_revenue
    group by product_id

),

final as (

    select
        products.product_id,
        products.product_name,
        products.category,
        products.unit_cost,
        products.list_price,
        products.list_price - products.unit_cost as unit_margin,
        coalesce(product_sales.units_sold, 0) as units_sold,
        coalesce(product_sales.revenue, 0) as revenue,
        products.updated_at
    from products
    left join product_sales
        on products.product_id = product_sales.product_id

)

select * from final
