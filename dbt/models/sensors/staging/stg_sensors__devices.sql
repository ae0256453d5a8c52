with

source as (

    select * from {{ source('sensors', 'devices') }}

),

current_versions as (

    -- Every hour delivers the registry again: the current version is the one changed
    -- last, equal timestamps going to the later delivery, then to the smaller row hash.
    select * from source
    qualify row_number() over (
        partition by device_id
        order by updated_at desc, ingest_date desc, _row_hash asc
    ) = 1

),

final as (

    select
        device_id,
        site,
        installed_on,
        updated_at,
        ingest_date
    from current_versions

)

select * from final
