with

marks as (

    select * from {{ ref('stg_attendance__records') }}

),

classes as (

    select * from {{ ref('stg_attendance__classes') }}

),

final as (

    select
        marks.student_id,
        marks.attendance_date,
        -- Weeks start on Monday (ISO weeks), the school's reporting week.
        cast(date_trunc('week', marks.attendance_date) as date) as week_start,
        marks.class_id,
        -- A class missing from silver (quarantined) keeps its marks, under 'unknown'.
        coalesce(classes.campus, 'unknown') as campus,
        marks.status,
        marks.is_marked,
        marks.is_attending,
        marks.is_absent
    from marks
    left join classes on marks.class_id = classes.class_id

)

select * from final
