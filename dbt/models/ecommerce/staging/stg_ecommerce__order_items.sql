with

source as (

    select * from {{ source('ecommerce', 'order_items') }}

),

current_versions as (

    -- Lines are delivered once, but a re-delivered day must not double them: keep the
    -- newest version of each line (ties: later delivery, then row hash).
    select * from source
    qualify row_number() over (
        partition by order_id, line_number
        order by updated_at desc, ingest_date desc, _row_hash asc
    ) = 1

),

final as (

    select
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price,
        updated_at,
        ingest_date
    from current_versions

)

select * from final
