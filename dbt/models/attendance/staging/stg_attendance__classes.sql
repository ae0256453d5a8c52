with

source as (

    select * from {{ source('attendance', 'classes') }}

),

current_versions as (

    -- The current version is the one written last; equal timestamps go to the later
    -- delivery, then to the smaller row hash (as in the refine step).
    select * from source
    qualify row_number() over (
        partition by class_id
        order by updated_at desc, ingest_date desc, _row_hash asc
    ) = 1

),

final as (

    select
        class_id,
        campus,
        year_group,
        teacher_name,
        updated_at,
        ingest_date
    from current_versions

)

select * from final
