-- Floor, bronze -> silver and quarantine for order lines, by the rules of
-- data/contracts/ecommerce/order_items.yml (the first rule broken is the reject reason,
-- as spark/transforms/refine.py checks them), then the latest version of each line.
-- Parameters: $bronze (the partition), $silver and $quarantine (outputs).
create temp table checked as
with

cleaned as (
    select
        *,
        nullif(trim(order_id), '') as clean_order_id,
        nullif(trim(line_number), '') as clean_line_number,
        nullif(trim(product_id), '') as clean_product_id,
        nullif(trim(quantity), '') as clean_quantity,
        nullif(trim(unit_price), '') as clean_unit_price,
        nullif(trim(updated_at), '') as clean_updated_at
    from read_parquet($bronze)
),

typed as (
    select
        *,
        try_cast(clean_line_number as integer) as typed_line_number,
        try_cast(clean_quantity as integer) as typed_quantity,
        try_cast(clean_unit_price as decimal(10, 2)) as typed_unit_price,
        try_cast(clean_updated_at as timestamp) as typed_updated_at
    from cleaned
)

select
    *,
    case
        when clean_order_id is null then 'missing_value:order_id'
        when clean_line_number is null then 'missing_value:line_number'
        when clean_product_id is null then 'missing_value:product_id'
        when clean_quantity is null then 'missing_value:quantity'
        when clean_unit_price is null then 'missing_value:unit_price'
        when clean_updated_at is null then 'missing_value:updated_at'
        when typed_line_number is null then 'invalid_type:line_number'
        when typed_quantity is null then 'invalid_type:quantity'
        when typed_unit_price is null then 'invalid_type:unit_price'
        when typed_updated_at is null then 'invalid_type:updated_at'
        when typed_line_number < 1 then 'out_of_range:line_number'
        when typed_quantity < 1 then 'out_of_range:quantity'
        when typed_quantity > 1000 then 'out_of_range:quantity'
        when typed_unit_price < 0 then 'out_of_range:unit_price'
    end as rule_broken
from typed;

create temp table flagged as
-- One window, as refine.py does: each key's valid rows newest first, then by hash; the
-- first is kept, a row equal to the one before it is a copy, any other an older version.
select
    *,
    case
        when rule_broken is not null then rule_broken
        when row_number() over newest_first = 1 then null
        when lag(_row_hash) over newest_first = _row_hash then 'duplicate_row'
        else 'superseded_in_delivery'
    end as _reject_reason
from checked
window newest_first as (
    partition by rule_broken is null, clean_order_id, typed_line_number
    order by typed_updated_at desc, _row_hash, _source_file
);

copy (
    select
        clean_order_id as order_id,
        typed_line_number as line_number,
        clean_product_id as product_id,
        typed_quantity as quantity,
        typed_unit_price as unit_price,
        typed_updated_at as updated_at,
        _ingested_at, _source_file, _row_hash, ingest_date
    from flagged
    where _reject_reason is null
) to $silver (format parquet);

copy (
    select
        order_id, line_number, product_id, quantity, unit_price, updated_at,
        _ingested_at, _source_file, _row_hash, _reject_reason, ingest_date
    from flagged
    where _reject_reason is not null
) to $quarantine (format parquet);

select
    count(*) as rows,
    count(*) filter (where _reject_reason is null) as silver_rows,
    count(*) filter (where _reject_reason is not null) as quarantined
from flagged;
