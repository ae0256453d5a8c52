with

source as (

    select * from {{ source('ecommerce', 'customers') }}

),

current_versions as (

    -- Later deliveries hold customers whose details changed: the newest version wins
    -- (ties: later delivery, then row hash, so the choice is deterministic).
    select * from source
    qualify row_number() over (
        partition by customer_id
        order by updated_at desc, ingest_date desc, _row_hash asc
    ) = 1

),

final as (

    select
        customer_id,
        full_name,
        email,
        segment,
        region,
        signup_date,
        updated_at,
        ingest_date
    from current_versions

)

select * from final
