with

source as (

    select * from {{ source('attendance', 'records') }}

),

latest_marks as (

    -- A mark can be corrected the same day or on a later day: the correction is a new
    -- row for the same student and date with a later recorded_at, and it replaces the
    -- earlier mark. Equal timestamps go to the later delivery, then to the smaller row
    -- hash (as in the refine step), so the choice never depends on file order.
    select * from source
    qualify row_number() over (
        partition by student_id, attendance_date
        order by recorded_at desc, ingest_date desc, _row_hash asc
    ) = 1

),

final as (

    select
        student_id,
        attendance_date,
        class_id,
        status,
        status is not null as is_marked,
        -- Late students were in school: they count as attending.
        coalesce(status in ('present', 'late'), false) as is_attending,
        coalesce(status in ('absent', 'excused'), false) as is_absent,
        recorded_at,
        ingest_date
    from latest_marks

)

select * from final
