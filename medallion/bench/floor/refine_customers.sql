-- Floor, bronze -> silver and quarantine for customers, by the rules of
-- data/contracts/ecommerce/customers.yml (the first rule broken is the reject reason,
-- as spark/transforms/refine.py checks them), then the latest version of each customer.
-- Parameters: $bronze (the partition), $silver and $quarantine (outputs).
create temp table checked as
with

cleaned as (
    select
        *,
        nullif(trim(customer_id), '') as clean_customer_id,
        nullif(trim(full_name), '') as clean_full_name,
        nullif(trim(email), '') as clean_email,
        lower(nullif(trim(segment), '')) as clean_segment,
        lower(nullif(trim(region), '')) as clean_region,
        nullif(trim(signup_date), '') as clean_signup_date,
        nullif(trim(updated_at), '') as clean_updated_at
    from read_parquet($bronze)
),

typed as (
    select
        *,
        try_cast(clean_signup_date as date) as typed_signup_date,
        try_cast(clean_updated_at as timestamp) as typed_updated_at
    from cleaned
)

select
    *,
    case
        when clean_customer_id is null then 'missing_value:customer_id'
        when clean_segment is null then 'missing_value:segment'
        when clean_region is null then 'missing_value:region'
        when clean_updated_at is null then 'missing_value:updated_at'
        when clean_signup_date is not null and typed_signup_date is null
            then 'invalid_type:signup_date'
        when typed_updated_at is null then 'invalid_type:updated_at'
        when clean_segment not in ('consumer', 'corporate', 'small_business')
            then 'not_in_accepted_values:segment'
        when clean_region not in ('north', 'south', 'east', 'west')
            then 'not_in_accepted_values:region'
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
    partition by rule_broken is null, clean_customer_id
    order by typed_updated_at desc, _row_hash, _source_file
);

copy (
    select
        clean_customer_id as customer_id,
        clean_full_name as full_name,
        clean_email as email,
        clean_segment as segment,
        clean_region as region,
        typed_signup_date as signup_date,
        typed_updated_at as updated_at,
        _ingested_at, _source_file, _row_hash, ingest_date
    from flagged
    where _reject_reason is null
) to $silver (format parquet);

copy (
    select
        customer_id, full_name, email, segment, region, signup_date, updated_at,
        _ingested_at, _source_file, _row_hash, _reject_reason, ingest_date
    from flagged
    where _reject_reason is not null
) to $quarantine (format parquet);

select
    count(*) as rows,
    count(*) filter (where _reject_reason is null) as silver_rows,
    count(*) filter (where _reject_reason is not null) as quarantined
from flagged;
