-- Floor, bronze -> silver and quarantine for click-stream events, by the rules of
-- data/contracts/ecommerce/events.yml (the first rule broken is the reject reason, as
-- spark/transforms/refine.py checks them), then one row per event.
-- Parameters: $bronze (the partition), $silver and $quarantine (outputs).
create temp table checked as
with

cleaned as (
    select
        *,
        nullif(trim(event_id), '') as clean_event_id,
        nullif(trim(session_id), '') as clean_session_id,
        nullif(trim(customer_id), '') as clean_customer_id,
        lower(nullif(trim(event_type), '')) as clean_event_type,
        nullif(trim(product_id), '') as clean_product_id,
        nullif(trim(event_ts), '') as clean_event_ts
    from read_parquet($bronze)
),

typed as (
    select
        *,
        try_cast(clean_event_ts as timestamp) as typed_event_ts
    from cleaned
)

select
    *,
    case
        when clean_event_id is null then 'missing_value:event_id'
        when clean_session_id is null then 'missing_value:session_id'
        when clean_event_type is null then 'missing_value:event_type'
        when clean_event_ts is null then 'missing_value:event_ts'
        when typed_event_ts is null then 'invalid_type:event_ts'
        when clean_event_type not in ('page_view', 'product_view', 'add_to_cart', 'checkout', 'purchase')
            then 'not_in_accepted_values:event_type'
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
    partition by rule_broken is null, clean_event_id
    order by typed_event_ts desc, _row_hash, _source_file
);

copy (
    select
        clean_event_id as event_id,
        clean_session_id as session_id,
        clean_customer_id as customer_id,
        clean_event_type as event_type,
        clean_product_id as product_id,
        typed_event_ts as event_ts,
        _ingested_at, _source_file, _row_hash, ingest_date
    from flagged
    where _reject_reason is null
) to $silver (format parquet);

copy (
    select
        event_id, session_id, customer_id, event_type, product_id, event_ts,
        _ingested_at, _source_file, _row_hash, _reject_reason, ingest_date
    from flagged
    where _reject_reason is not null
) to $quarantine (format parquet);

select
    count(*) as rows,
    count(*) filter (where _reject_reason is null) as silver_rows,
    count(*) filter (where _reject_reason is not null) as quarantined
from flagged;
