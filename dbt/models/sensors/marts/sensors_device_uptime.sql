with

devices as (

    select * from {{ ref('stg_sensors__devices') }}

),

readings as (

    select * from {{ ref('stg_sensors__readings') }}

),

reporting_window as (

    -- The hours gold covers: every hour in which any device sent a reading.
    select count(distinct reading_hour) as hour_count from readings

),

received as (

    select
        device_id,
        count(*) as received_readings,
        count(distinct reading_hour) as hours_with_readings
    from readings
    group by device_id

),

final as (

    select
        devices.device_id,
        devices.site,
        reporting_window.hour_count,
        reporting_window.hour_count * {{ var('readings_per_hour') }} as expected_readings,
        coalesce(received.received_readings, 0) as received_readings,
        coalesce(received.hours_with_readings, 0) as hours_with_readings,
        case
            when reporting_window.hour_count > 0
                then
                    coalesce(received.received_readings, 0)
                    / (reporting_window.hour_count * {{ var('readings_per_hour') }})
        end as uptime_share
    from devices
    cross join reporting_window
    left join received on devices.device_id = received.device_id

)

select * from final
