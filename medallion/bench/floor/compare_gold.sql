-- Does the floor's gold agree with ours? agg_daily_sales row for row (money rounded to
-- cents), and the grand totals. Parameters: $ours, $floor (the two agg_daily_sales parquet).
with

ours as (
    select
        order_date, category, region, segment, round(revenue, 2) as revenue,
        round(cost, 2) as cost, order_count, unique_customers
    from read_parquet($ours)
),

floor as (
    select
        order_date, category, region, segment, round(revenue, 2) as revenue,
        round(cost, 2) as cost, order_count, unique_customers
    from read_parquet($floor)
),

differences as (
    select count(*) as rows
    from ((select * from ours except all select * from floor)
        union all (select * from floor except all select * from ours))
)

select
    (select count(*) from ours) as rows,
    differences.rows as differing_rows,
    (select sum(revenue) from ours) as ours_revenue,
    (select sum(revenue) from floor) as floor_revenue,
    (select sum(order_count) from ours) as ours_order_count,
    (select sum(order_count) from floor) as floor_order_count,
    differences.rows = 0 as passed
from differences;
