-- Independent recomputation of the sensors gold figures straight from the landing files.
-- It shares no code with the pipeline: the contracts' rules are re-stated here in plain
-- DuckDB SQL, so a bug in the Spark jobs or the dbt models shows up as a difference.
-- Variables (SET VARIABLE before running): readings, devices (globs of landing files),
-- anomaly_temperature_delta_c. Creates reference_readings (every valid reading once,
-- with its site), reference_hourly_readings and reference_anomalies.

create or replace temp table reference_readings as

with

delivered as (
    select
        nullif(trim(device_id), '') as device_id,
        try_cast(nullif(trim(measured_at), '') as timestamp) as measured_at,
        nullif(trim(temperature_c), '') as temperature_text,
        try_cast(nullif(trim(temperature_c), '') as double) as temperature_c,
        nullif(trim(humidity_pct), '') as humidity_text,
        try_cast(nullif(trim(humidity_pct), '') as double) as humidity_pct,
        try_cast(nullif(trim(sent_at), '') as timestamp) as sent_at,
        regexp_extract(filename, '(\d{4}-\d{2}-\d{2}T\d{2})', 1) as delivered_in
    from read_json(
        getvariable('readings'), format = 'newline_delimited', filename = true,
        columns = {
            device_id: 'varchar', measured_at: 'varchar', temperature_c: 'varchar',
            humidity_pct: 'varchar', sent_at: 'varchar'
        }
    )
),

valid as (
    -- The contract: device, time, temperature and sent_at required; numbers that parse;
    -- temperature within -40..85 °C, humidity within 0..100 % or empty.
    select *
    from delivered
    where device_id is not null and measured_at is not null and sent_at is not null
        and temperature_c between -40 and 85
        and (humidity_text is null or humidity_pct between 0 and 100)
),

devices as (
    select
        nullif(trim(device_id), '') as device_id,
        lower(trim(site)) as site
    from read_csv(getvariable('devices'), header = true, all_varchar = true)
    where lower(trim(site)) in ('dock', 'lab', 'office', 'plant', 'warehouse')
    qualify row_number() over (partition by device_id order by updated_at desc) = 1
)

-- A re-sent reading counts once; a late one in the hour it was taken.
select
    valid.device_id,
    coalesce(devices.site, 'unknown') as site,
    valid.measured_at,
    date_trunc('hour', valid.measured_at) as reading_hour,
    valid.temperature_c,
    valid.delivered_in
from valid
left join devices on valid.device_id = devices.device_id
qualify row_number() over (
    partition by valid.device_id, valid.measured_at
    order by valid.sent_at desc, valid.delivered_in desc
) = 1;

create or replace temp table reference_hourly_readings as
select
    reading_hour,
    site,
    device_id,
    count(*) as reading_count,
    avg(temperature_c) as average_temperature_c
from reference_readings
group by all;

create or replace temp table reference_anomalies as
select device_id, measured_at
from reference_readings
qualify abs(
    temperature_c - median(temperature_c) over (partition by device_id, reading_hour)
) > getvariable('anomaly_temperature_delta_c');
