-- Independent recomputation of the attendance gold figures straight from the landing files.
-- It shares no code with the pipeline: the contracts' rules are re-stated here in plain
-- DuckDB SQL, so a bug in the Spark jobs or the dbt models shows up as a difference.
-- Variables (SET VARIABLE before running): records, classes (globs of landing CSV files),
-- chronic_absence_threshold. Creates two tables: reference_weekly_report and
-- reference_chronic_absentees.

create or replace temp table reference_marks as

with

records_delivered as (
    select
        nullif(trim(student_id), '') as student_id,
        try_cast(nullif(trim(attendance_date), '') as date) as attendance_date,
        nullif(trim(attendance_date), '') as attendance_date_text,
        nullif(trim(class_id), '') as class_id,
        lower(nullif(trim(status), '')) as status,
        try_cast(nullif(trim(recorded_at), '') as timestamp) as recorded_at,
        regexp_extract(filename, '(\d{4}-\d{2}-\d{2})', 1) as delivered_on
    from read_csv(
        getvariable('records'), header = true, all_varchar = true, filename = true
    )
),

records_valid as (
    -- The contract: key, day, class and time required; the day written YYYY-MM-DD;
    -- status empty or one of four marks.
    select *
    from records_delivered
    where student_id is not null and attendance_date is not null and class_id is not null
        and recorded_at is not null
        and regexp_full_match(attendance_date_text, '\d{4}-\d{2}-\d{2}')
        and (status is null or status in ('present', 'late', 'absent', 'excused'))
),

classes_current as (
    select
        nullif(trim(class_id), '') as class_id,
        lower(nullif(trim(campus), '')) as campus
    from read_csv(getvariable('classes'), header = true, all_varchar = true)
    where lower(trim(campus)) in ('harbour', 'hillside', 'meadow', 'riverside', 'station')
        and try_cast(year_group as integer) between 7 and 12
    qualify row_number() over (
        partition by class_id order by try_cast(updated_at as timestamp) desc
    ) = 1
)

-- The latest mark of each student and day counts: a correction replaces the mark.
select
    records_valid.student_id,
    records_valid.attendance_date,
    records_valid.class_id,
    coalesce(classes_current.campus, 'unknown') as campus,
    records_valid.status
from records_valid
left join classes_current on records_valid.class_id = classes_current.class_id
qualify row_number() over (
    partition by records_valid.student_id, records_valid.attendance_date
    order by records_valid.recorded_at desc, records_valid.delivered_on desc
) = 1;

create or replace temp table reference_weekly_report as
select
    cast(date_trunc('week', attendance_date) as date) as week_start,
    campus,
    class_id,
    count(*) as record_count,
    count(status) as marked_count,
    count(*) filter (where status in ('absent', 'excused')) as absence_count,
    count(*) filter (where status in ('present', 'late')) / nullif(count(status), 0)
        as attendance_rate
from reference_marks
group by all;

create or replace temp table reference_chronic_absentees as
select student_id
from reference_marks
group by student_id
having count(status) > 0
    and count(*) filter (where status in ('absent', 'excused')) / count(status)
        > getvariable('chronic_absence_threshold');
