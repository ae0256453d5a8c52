-- Floor, bronze -> silver and quarantine for orders, by the rules of
-- data/contracts/ecommerce/orders.yml (the first rule broken is the reject reason, as
-- spark/transforms/refine.py checks them), then the latest version of each order.
-- Parameters: $bronze (the partition), $silver and $quarantine (outputs).
create temp table checked as
with

cleaned as (
    select
        *,
        nullif(trim(order_id), '') as clean_order_id,
        nullif(trim(customer_id), '') as clean_customer_id,
        nullif(trim(order_ts), '') as clean_order_ts,
        lower(nullif(trim(status), '')) as clean_status,
        lower(nullif(trim(payment_method), '')) as clean_payment_method,
        nullif(trim(amount), '') as clean_amount,
        nullif(trim(updated_at), '') as clean_updated_at
    from read_parquet($bronze)
),

typed as (
    select
        *,
        try_cast(clean_order_ts as timestamp) as typed_order_ts,
        try_cast(clean_amount as decimal(12, 2)) as typed_amount,
        try_cast(clean_updated_at as timestamp) as typed_updated_at
    from cleaned
)

select
    *,
    case
        when clean_order_id is null then 'missing_value:order_id'
        when clean_customer_id is null then 'missing_value:customer_id'
        when clean_order_ts is null then 'missing_value:order_ts'
        when clean_status is null then 'missing_value:status'
        when clean_amount is null then 'missing_value:amount'
        when clean_updated_at is null then 'missing_value:updated_at'
        when typed_order_ts is null then 'invalid_type:order_ts'
        when typed_amount is null then 'invalid_type:amount'
        when typed_updated_at is null then 'invalid_type:updated_at'
        when clean_status not in ('placed', 'paid', 'shipped', 'delivered', 'cancelled', 'returned')
            then 'not_in_accepted_values:status'
        when clean_payment_method not in ('card', 'paypal', 'bank_transfer', 'gift_card')
            then 'not_in_accepted_values:payment_method'
        when typed_amount < 0 then 'out_of_range:amount'
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
    partition by rule_broken is null, clean_order_id
    order by typed_updated_at desc, _row_hash, _source_file
);

copy (
    select
        clean_order_id as order_id,
        clean_customer_id as customer_id,
        typed_order_ts as order_ts,
        clean_status as status,
        clean_payment_method as payment_method,
        typed_amount as amount,
        typed_updated_at as updated_at,
        _ingested_at, _source_file, _row_hash, ingest_date
    from flagged
    where _reject_reason is null
) to $silver (format parquet);

copy (
    select
        order_id, customer_id, order_ts, status, payment_method, amount, updated_at,
        _ingested_at, _source_file, _row_hash, _reject_reason, ingest_date
    from flagged
    where _reject_reason is not null
) to $quarantine (format parquet);

select
    count(*) as rows,
    count(*) filter (where _reject_reason is null) as silver_rows,
    count(*) filter (where _reject_reason is not null) as quarantined
from flagged;
