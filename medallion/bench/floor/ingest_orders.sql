-- Floor, landing -> bronze: one day's order files as delivered (every column a string,
-- the names and order of data/contracts/ecommerce/orders.yml), plus lineage columns.
-- Parameters: $files (the day's CSV files), $ds (the delivery date), $bronze (output).
copy (
    select
        order_id, customer_id, order_ts, status, payment_method, amount, updated_at,
        now() as _ingested_at,
        filename as _source_file,
        sha256(to_json({
            order_id: order_id, customer_id: customer_id, order_ts: order_ts, status: status,
            payment_method: payment_method, amount: amount, updated_at: updated_at
        })) as _row_hash,
        $ds as ingest_date
    from read_csv(
        $files, header = true, delim = ',', quote = '"', escape = '"', filename = true,
        columns = {
            order_id: 'varchar', customer_id: 'varchar', order_ts: 'varchar', status: 'varchar',
            payment_method: 'varchar', amount: 'varchar', updated_at: 'varchar'
        }
    )
) to $bronze (format parquet);

select count(*) as rows from read_parquet($bronze);
