with

readings as (

    select * from {{ ref('int_sensors_readings_enriched') }}

),

final as (

    select
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
