-- Independent recomputation of the e-commerce gold figures straight from the landing files.
-- It shares no code with the pipeline: the contract's rules are re-stated here in plain
-- DuckDB SQL, so a bug in the Spark jobs or the dbt models shows up as a difference.
-- Parameters: $customers, $products, $orders, $order_items (globs of landing CSV files).

with

orders_delivered as (
    select
        nullif(trim(order_id), '') as order_id,
        nullif(trim(customer_id), '') as customer_id,
        try_cast(nullif(trim(order_ts), '') as timestamp) as order_ts,
        lower(nullif(trim(status), '')) as status,
        lower(nullif(trim(payment_method), '')) as payment_method,
        try_cast(nullif(trim(amount), '') as decimal(12, 2)) as amount,
        try_cast(nullif(trim(updated_at), '') as timestamp) as updated_at,
        regexp_extract(filename, '(\d{4}-\d{2}-\d{2})', 1) as delivered_on
    from read_csv($orders, header = true, all_varchar = true, filename = true, ignore_errors = true)
),

orders_current as (
    select *
    from orders_delivered
    where order_id is not null and customer_id is not null and order_ts is not null
        and status in ('placed', 'paid', 'shipped', 'delivered', 'cancelled', 'returned')
        and (payment_method is null or payment_method in ('card', 'paypal', 'bank_transfer', 'gift_card'))
        and amount >= 0 and updated_at is not null
    qualify row_number() over (partition by order_id order by updated_at desc, delivered_on desc) = 1
),

items_delivered as (
    select
        nullif(trim(order_id), '') as order_id,
        try_cast(nullif(trim(line_number), '') as integer) as line_number,
        nullif(trim(product_id), '') as product_id,
        try_cast(nullif(trim(quantity), '') as integer) as quantity,
        try_cast(nullif(trim(unit_price), '') as decimal(10, 2)) as unit_price,
        try_cast(nullif(trim(updated_at), '') as timestamp) as updated_at,
        regexp_extract(filename, '(\d{4}-\d{2}-\d{2})', 1) as delivered_on
    from read_csv($order_items, header = true, all_varchar = true, filename = true, ignore_errors = true)
),

items_current as (
    select *
    from items_delivered
    where order_id is not null and line_number >= 1 and product_id is not null
        and quantity between 1 and 1000 and unit_price >= 0 and updated_at is not null
    qualify row_number() over (
        partition by order_id, line_number order by updated_at desc, delivered_on desc
    ) = 1
),

products_current as (
    select
        nullif(trim(product_id), '') as product_id,
        lower(nullif(trim(category), '')) as category
    from read_csv($products, header = true, all_varchar = true, filename = true, ignore_errors = true)
    where nullif(trim(product_id), '') is not null
        and nullif(trim(product_name), '') is not null
        and lower(nullif(trim(category), '')) in ('electronics', 'home', 'fashion', 'sports', 'books', 'beauty')
        and try_cast(nullif(trim(unit_cost), '') as decimal(10, 2)) >= 0
        and try_cast(nullif(trim(list_price), '') as decimal(10, 2)) >= 0
        and try_cast(nullif(trim(updated_at), '') as timestamp) is not null
    qualify row_number() over (
        partition by nullif(trim(product_id), '')
        order by try_cast(nullif(trim(updated_at), '') as timestamp) desc, filename desc
    ) = 1
),

customers_current as (
    select
        nullif(trim(customer_id), '') as customer_id,
        lower(nullif(trim(region), '')) as region
    from read_csv($customers, header = true, all_varchar = true, filename = true, ignore_errors = true)
    where nullif(trim(customer_id), '') is not null
        and lower(nullif(trim(segment), '')) in ('consumer', 'corporate', 'small_business')
        and lower(nullif(trim(region), '')) in ('north', 'south', 'east', 'west')
        and (nullif(trim(signup_date), '') is null or try_cast(trim(signup_date) as date) is not null)
        and try_cast(nullif(trim(updated_at), '') as timestamp) is not null
    qualify row_number() over (
        partition by nullif(trim(customer_id), '')
        order by try_cast(nullif(trim(updated_at), '') as timestamp) desc, filename desc
    ) = 1
)

select
    cast(orders_current.order_ts as date) as order_date,
    coalesce(products_current.category, 'unknown') as category,
    coalesce(customers_current.region, 'unknown') as region,
    sum(items_current.quantity * items_current.unit_price) as revenue,
    count(distinct orders_current.order_id) as order_count
from items_current
inner join orders_current on items_current.order_id = orders_current.order_id
left join products_current on items_current.product_id = products_current.product_id
left join customers_current on orders_current.customer_id = customers_current.customer_id
where orders_current.status not in ('cancelled', 'returned')
group by all
order by all
