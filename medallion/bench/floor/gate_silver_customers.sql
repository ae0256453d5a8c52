-- Floor, silver gate of customers: the key is unique and never null, and every bronze row is
-- in silver or in quarantine. Parameters: $bronze, $silver, $quarantine (the partitions).
with

silver as (
    select * from read_parquet($silver)
),

keys as (
    select
        count(*) as rows,
        count(*) - count(distinct (customer_id)) as duplicate_keys,
        count(*) filter (where customer_id is null) as null_keys
    from silver
),

accounting as (
    select
        (select count(*) from read_parquet($bronze)) as bronze_rows,
        (select count(*) from read_parquet($quarantine)) as quarantined
)

select
    keys.rows,
    keys.duplicate_keys = 0
        and keys.null_keys = 0
        and keys.rows + accounting.quarantined = accounting.bronze_rows as passed
from keys, accounting;
