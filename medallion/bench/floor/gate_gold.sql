-- Floor, gold gate: every mart's grain is unique, and gold revenue equals the revenue of
-- the order facts it was built from. Runs in the floor's warehouse (no parameters).
with

grains as (
    select
        (select count(*) - count(distinct order_id) from fct_orders)
        + (select count(*) - count(distinct customer_id) from dim_customers)
        + (select count(*) - count(distinct product_id) from dim_products)
        + (select count(*) - count(distinct (order_date, category, region, segment)) from agg_daily_sales)
        + (select count(*) - count(distinct (segment, value_tier)) from agg_customer_segments)
            as duplicate_grains
),

revenue as (
    select
        (select sum(revenue) from agg_daily_sales) as gold_revenue,
        (select sum(items_revenue) from fct_orders where is_revenue) as order_revenue
),

sizes as (
    select
        (select count(*) from fct_orders) + (select count(*) from dim_customers)
        + (select count(*) from dim_products) + (select count(*) from agg_daily_sales)
        + (select count(*) from agg_customer_segments) as rows
)

select
    sizes.rows,
    grains.duplicate_grains = 0 and revenue.gold_revenue = revenue.order_revenue as passed
from sizes, grains, revenue;
