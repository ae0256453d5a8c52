-- Floor, silver -> gold: the marts of dbt/models/ecommerce/marts, built in plain DuckDB SQL
-- in the floor's warehouse and exported as parquet, as the dbt project does.
-- Parameters: $customers, $products, $orders, $order_items (silver parquet globs), and
-- $gold_folder (where each mart's parquet goes).
create or replace temp table current_orders as
select
    *,
    status not in ('cancelled', 'returned') as is_revenue
from read_parquet($orders)
qualify row_number() over (
    partition by order_id order by updated_at desc, ingest_date desc, _row_hash
) = 1;

create or replace temp table current_order_items as
select * from read_parquet($order_items)
qualify row_number() over (
    partition by order_id, line_number order by updated_at desc, ingest_date desc, _row_hash
) = 1;

create or replace temp table current_products as
select * from read_parquet($products)
qualify row_number() over (
    partition by product_id order by updated_at desc, ingest_date desc, _row_hash
) = 1;

create or replace temp table current_customers as
select * from read_parquet($customers)
qualify row_number() over (
    partition by customer_id order by updated_at desc, ingest_date desc, _row_hash
) = 1;

create or replace temp table order_lines as
select
    current_order_items.order_id,
    current_order_items.line_number,
    current_orders.customer_id,
    current_order_items.product_id,
    cast(current_orders.order_ts as date) as order_date,
    current_orders.is_revenue,
    coalesce(current_products.category, 'unknown') as category,
    coalesce(current_customers.region, 'unknown') as region,
    coalesce(current_customers.segment, 'unknown') as segment,
    current_order_items.quantity,
    current_order_items.quantity * current_order_items.unit_price as line_revenue,
    current_order_items.quantity * current_products.unit_cost as line_cost
from current_order_items
inner join current_orders on current_order_items.order_id = current_orders.order_id
left join current_products on current_order_items.product_id = current_products.product_id
left join current_customers on current_orders.customer_id = current_customers.customer_id;

create or replace table fct_orders as
with line_totals as (
    select
        order_id,
        count(*) as line_count,
        sum(quantity) as item_count,
        sum(line_revenue) as items_revenue,
        sum(line_cost) as items_cost
    from order_lines
    group by order_id
)
select
    current_orders.order_id,
    current_orders.customer_id,
    current_orders.order_ts,
    cast(current_orders.order_ts as date) as order_date,
    current_orders.status,
    current_orders.is_revenue,
    current_orders.payment_method,
    current_orders.amount,
    coalesce(line_totals.line_count, 0) as line_count,
    coalesce(line_totals.item_count, 0) as item_count,
    coalesce(line_totals.items_revenue, 0) as items_revenue,
    coalesce(line_totals.items_cost, 0) as items_cost
from current_orders
left join line_totals on current_orders.order_id = line_totals.order_id;

create or replace table dim_customers as
with customer_orders as (
    select
        customer_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as lifetime_order_count,
        count(*) filter (where is_revenue) as lifetime_revenue_order_count,
        sum(items_revenue) filter (where is_revenue) as lifetime_revenue
    from fct_orders
    group by customer_id
)
select
    current_customers.customer_id,
    current_customers.full_name,
    current_customers.email,
    current_customers.segment,
    current_customers.region,
    current_customers.signup_date,
    customer_orders.first_order_date,
    customer_orders.last_order_date,
    coalesce(customer_orders.lifetime_order_count, 0) as lifetime_order_count,
    coalesce(customer_orders.lifetime_revenue_order_count, 0) as lifetime_revenue_order_count,
    coalesce(customer_orders.lifetime_revenue, 0) as lifetime_revenue,
    current_customers.updated_at
from current_customers
left join customer_orders on current_customers.customer_id = customer_orders.customer_id;

create or replace table dim_products as
with product_sales as (
    select product_id, sum(quantity) as units_sold, sum(line_revenue) as revenue
    from order_lines
    where is_revenue
    group by product_id
)
select
    current_products.product_id,
    current_products.product_name,
    current_products.category,
    current_products.unit_cost,
    current_products.list_price,
    current_products.list_price - current_products.unit_cost as unit_margin,
    coalesce(product_sales.units_sold, 0) as units_sold,
    coalesce(product_sales.revenue, 0) as revenue,
    current_products.updated_at
from current_products
left join product_sales on current_products.product_id = product_sales.product_id;

create or replace table agg_daily_sales as
select
    order_date,
    category,
    region,
    segment,
    sum(line_revenue) as revenue,
    sum(line_cost) as cost,
    count(distinct order_id) as order_count,
    count(distinct customer_id) as unique_customers,
    sum(line_revenue) / count(distinct order_id) as average_order_value,
    (sum(line_revenue) - sum(line_cost)) / nullif(sum(line_revenue), 0) as profit_margin
from order_lines
where is_revenue
group by order_date, category, region, segment;

-- Value tiers as in dbt_project.yml: mid from 100 EUR lifetime revenue, high from 500.
create or replace table agg_customer_segments as
with tiered as (
    select
        segment,
        case
            when lifetime_revenue >= 500 then 'high'
            when lifetime_revenue >= 100 then 'mid'
            when lifetime_revenue > 0 then 'low'
            else 'none'
        end as value_tier,
        lifetime_revenue,
        lifetime_order_count,
        lifetime_revenue_order_count
    from dim_customers
)
select
    segment,
    value_tier,
    count(*) as customer_count,
    sum(lifetime_revenue) as revenue,
    sum(lifetime_order_count) as order_count,
    sum(lifetime_revenue_order_count) as revenue_order_count,
    sum(lifetime_revenue) / count(*) as revenue_per_customer
from tiered
group by segment, value_tier;

copy fct_orders to ($gold_folder || '/fct_orders.parquet') (format parquet);
copy dim_customers to ($gold_folder || '/dim_customers.parquet') (format parquet);
copy dim_products to ($gold_folder || '/dim_products.parquet') (format parquet);
copy agg_daily_sales to ($gold_folder || '/agg_daily_sales.parquet') (format parquet);
copy agg_customer_segments to ($gold_folder || '/agg_customer_segments.parquet') (format parquet);

select
    (select count(*) from read_parquet($orders)) + (select count(*) from read_parquet($order_items))
    + (select count(*) from read_parquet($products)) + (select count(*) from read_parquet($customers))
        as rows,
    (select count(*) from fct_orders) as fct_orders_rows,
    (select count(*) from agg_daily_sales) as agg_daily_sales_rows;
