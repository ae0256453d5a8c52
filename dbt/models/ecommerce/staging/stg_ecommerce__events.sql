with

source as (

    select * from {{ source('ecommerce', 'events') }}

),

current_versions as (

    -- Events never change, but the tracker sometimes sends one twice, possibly on
    -- different days: keep one row per event (latest event_ts, then later delivery,
    -- then row hash).
    select * from source
    qualify row_number() over (
        partition by event_id
        order by event_ts desc, ingest_date desc, _row_hash asc
    ) = 1

),

final as (

    select
        event_id,
        session_id,
        customer_id,
        event_type,
        product_id,
        event_ts,
        ingest_date
    from current_versions

)

select * from final
