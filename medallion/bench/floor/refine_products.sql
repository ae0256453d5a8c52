-- Floor, bronze -> silver and quarantine for products, by the rules of
-- data/contracts/ecommerce/products.yml (the first rule broken is the reject reason,
-- as spark/transforms/refine.py checks them), then the latest version of each product.
-- Parameters: $bronze (the partition), $silver and $quarantine (outputs).
create temp table checked as
with

cleaned as (
    select
        *,
        nullif(trim(product_id), '') as clean_product_id,
        nullif(trim(product_name), '') as clean_product_name,
        lower(nullif(trim(category), '')) as clean_category,
        nullif(trim(unit_cost), '') as clean_unit_cost,
        nullif(trim(list_price), '') as clean_list_price,
        nullif(trim(updated_at), '') as clean_updated_at
    from read_parquet($bronze)
),

typed as (
    select
        *,
        try_cast(clean_unit_cost as decimal(10, 2)) as typed_unit_cost,
        try_cast(clean_list_price as decimal(10, 2)) as typed_list_price,
        try_cast(clean_updated_at as timestamp) as typed_updated_at
    from cleaned
)

select
    *,
    case
        when clean_product_id is null then 'missing_value:product_id'
        when clean_product_name is null then 'missing_value:product_name'
        when clean_category is null then 'missing_value:category'
        when clean_unit_cost is null then 'missing_value:unit_cost'
        when clean_list_price is null then 'missing_value:list_price'
        when clean_updated_at is null then 'missing_value:updated_at'
        when typed_unit_cost is null then 'invalid_type:unit_cost'
        when typed_list_price is null then 'invalid_type:list_price'
        when typed_updated_at is null then 'invalid_type:updated_at'
        when clean_category not in ('electronics', 'home', 'fashion', 'sports', 'books', 'beauty')
            then 'not_in_accepted_values:category'
        when typed_unit_cost < 0 then 'out_of_range:unit_cost'
        when typed_list_price < 0 then 'out_of_range:list_price'
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
    partition by rule_broken is null, clean_product_id
    order by typed_updated_at desc, _row_hash, _source_file
);

copy (
    select
        clean_product_id as product_id,
        clean_product_name as product_name,
        clean_category as category,
        typed_unit_cost as unit_cost,
        typed_list_price as list_price,
        typed_updated_at as updated_at,
        _ingested_at, _source_file, _row_hash, ingest_date
    from flagged
    where _reject_reason is null
) to $silver (format parquet);

copy (
    select
        product_id, product_name, category, unit_cost, list_price, updated_at,
        _ingested_at, _source_file, _row_hash, _reject_reason, ingest_date
    from flagged
    where _reject_reason is not null
) to $quarantine (format parquet);

select
    count(*) as rows,
    count(*) filter (where _reject_reason is null) as silver_rows,
    count(*) filter (where _reject_reason is not null) as quarantined
from flagged;
