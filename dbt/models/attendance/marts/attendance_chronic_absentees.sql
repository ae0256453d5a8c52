with

marks as (

    select * from {{ ref('stg_attendance__records') }}

),

students as (

    select * from {{ ref('stg_attendance__students') }}

),

classes as (

    select * from {{ ref('stg_attendance__classes') }}

),

student_absences as (

    select
        student_id,
        count(*) filter (where is_marked) as marked_days,
        count(*) filter (where is_absent) as absent_days,
        count(*) filter (where status = 'excused') as excused_days
    from marks
    group by student_id

),

chronic as (

    -- Above the threshold (a project var, dbt_project.yml), not at it.
    select
        *,
        absent_days / marked_days as absence_rate
    from student_absences
    where
        marked_days > 0
        and absent_days / marked_days > {{ var('chronic_absence_threshold') }}

),

final as (

    select
        chronic.student_id,
        students.full_name,
        -- The student's current class and campus; 'unknown' when not in silver.
        coalesce(students.class_id, 'unknown') as class_id,
        coalesce(classes.campus, 'unknown') as campus,
        chronic.marked_days,
        chronic.absent_days,
        chronic.excused_days,
        chronic.absence_rate
    from chronic
    left join students on chronic.student_id = students.student_id
    left join classes on students.class_id = classes.class_id

)

select * from final
