with

source as (

    select * from {{ source('sensors', 'readings') }}

),

latest_transmissions as (

    -- A reading re-sent in a later delivery is the same reading: keep one, the latest
    -- transmission (then the later delivery, then the smaller row hash).
    select * from source
    qualify row_number() over (
        partition by device_id, measured_at
        order by sent_at desc, ingest_date desc, _row_hash asc
    ) = 1

),

final as (

    select
        device_id,
        measured_at,
        -- Gold aggregates by when a reading was taken, not when it arrived: a late
        -- reading counts in its own hour.
        date_trunc('hour', measured_at) as reading_hour,
        temperature_c,
        humidity_pct,
        sent_at,
        ingest_date
    from latest_transmissions

)

select * from final
