with

readings as (

    select * from {{ ref('int_sensors_readings_enriched') }}

),

final as (

    select
        reading_hour,
        site,
        device_id,
        count(*) as reading_count,
        avg(temperature_c) as average_temperature_c,
        min(temperature_c) as minimum_temperature_c,
        max(temperature_c) as maximum_temperature_c,
        avg(humidity_pct) as average_humidity_pct
    from readings
    group by reading_hour, site, device_id

)

select * from final
