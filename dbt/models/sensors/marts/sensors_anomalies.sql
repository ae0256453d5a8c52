with

readings as (

    select * from {{ ref('int_sensors_readings_enriched') }}

),

final as (

    select
        -- One readable id per reading: the device and the time it was taken.
        device_id || ' ' || strftime(measured_at, '%Y-%m-%d %H:%M:%S') as reading_id,
        device_id,
        measured_at,
        site,
        reading_hour,
        temperature_c,
        hour_median_temperature_c,
        temperature_c - hour_median_temperature_c as deviation_c
    from readings
    -- The threshold is a project var (dbt_project.yml).
    where
        abs(temperature_c - hour_median_temperature_c)
        > {{ var('anomaly_temperature_delta_c') }}

)

select * from final
