with

source as (

    select * from {{ source('ecommerce', 'orders') }}

),

current_versions as (

    -- An order is delivered again whenever its status changes. The current version is
    -- the one written last; equal timestamps go to the later delivery, then to the
    -- smaller row hash (as in the refine step), so the choice never depends on file order.
    select * from source
    qualify row_number() over (
        partition by order_id
        order by updated_at desc, ingest_date desc, _row_hash asc
    ) = 1

),

final as (

    select
        order_id,
        customer_id,
        order_ts,
        status,
        -- Cancelled and returned orders earned nothing: every revenue figure in gold
        -- counts only orders with this flag.
        status not in ('cancelled', 'returned') as is_revenue,
        payment_method,
        amount,
        updated_at,
        ingest_date
    from current_versions

)

select * from final
