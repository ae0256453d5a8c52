with

marks as (

    select * from {{ ref('int_attendance_marks_enriched') }}

),

class_weeks as (

    select
        week_start,
        campus,
        class_id,
        count(distinct student_id) as student_count,
        count(*) as record_count,
        count(*) filter (where is_marked) as marked_count,
        count(*) filter (where status = 'present') as present_count,
        count(*) filter (where status = 'late') as late_count,
        count(*) filter (where status = 'absent') as absent_count,
        count(*) filter (where status = 'excused') as excused_count,
        count(*) filter (where not is_marked) as unmarked_count
    from marks
    group by week_start, campus, class_id

),

final as (

    select
        week_start,
        campus,
        class_id,
        student_count,
        record_count,
        marked_count,
        present_count,
        late_count,
        absent_count,
        excused_count,
        unmarked_count,
        absent_count + excused_count as absence_count,
        -- Share of marked student-days the student was in school (present or late);
        -- unmarked days are left out rather than counted as absences.
        case
            when marked_count > 0
                then (present_count + late_count) / marked_count
        end as attendance_rate
    from class_weeks

)

select * from final
