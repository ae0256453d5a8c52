-- Floor, landing -> bronze: one day's order-line files as delivered (every column a
-- string, as data/contracts/ecommerce/order_items.yml names them), plus lineage columns.
-- Parameters: $files (the day's CSV files), $ds (the delivery date), $bronze (output).
copy (
    select
        order_id, line_number, product_id, quantity, unit_price, updated_at,
        now() as _ingested_at,
        filename as _source_file,
        sha256(to_json({
            order_id: order_id, line_number: line_number, product_id: product_id,
            quantity: quantity, unit_price: unit_price, updated_at: updated_at
        })) as _row_hash,
        $ds as ingest_date
    from read_csv(
        $files, header = true, delim = ',', quote = '"', escape = '"', filename = true,
        columns = {
            order_id: 'varchar', line_number: 'varchar', product_id: 'varchar',
            quantity: 'varchar', unit_price: 'varchar', updated_at: 'varchar'
        }
    )
) to $bronze (format parquet);

select count(*) as rows from read_parquet($bronze);
