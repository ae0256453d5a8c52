with

source as (

    select * from {{ source('ecommerce', 'products') }}

),

current_versions as (

    -- Price and cost changes arrive as new versions: the newest version wins
    -- (ties: later delivery, then row hash, so the choice is deterministic).
    select * from source
    qualify row_number() over (
        partition by product_id
        order by updated_at desc, ingest_date desc, _row_hash asc
    ) = 1

),

final as (

    select
        product_id,
        product_name,
        category,
        unit_cost,
        list_price,
        updated_at,
        ingest_date
    from current_versions

)

select * from final
