with

readings as (

    select * from {{ ref('stg_sensors__readings') }}

),

devices as (

    select * from {{ ref('stg_sensors__devices') }}

),

final as (

    select
        readings.device_id,
        -- A device missing from the registry keeps its readings, under 'unknown'.
        coalesce(devices.site, 'unknown') as site,
        readings.measured_at,
        readings.reading_hour,
        readings.temperature_c,
        readings.humidity_pct,
        -- The median of the device's hour: a single spike does not move it.
        median(readings.temperature_c) over (
            partition by readings.device_id, readings.reading_hour
        ) as hour_median_temperature_c
    from readings
    left join devices on readings.device_id = devices.device_id

)

select * from final
