-- Floor, landing -> bronze: one day's click-stream files (JSON lines) as delivered (every
-- key a string, as data/contracts/ecommerce/events.yml names them), plus lineage columns.
-- Parameters: $files (the day's JSON-lines files), $ds (the delivery date), $bronze (output).
copy (
    select
        event_id, session_id, customer_id, event_type, product_id, event_ts,
        now() as _ingested_at,
        filename as _source_file,
        sha256(to_json({
            event_id: event_id, session_id: session_id, customer_id: customer_id,
            event_type: event_type, product_id: product_id, event_ts: event_ts
        })) as _row_hash,
        $ds as ingest_date
    from read_json(
        $files, format = 'newline_delimited', filename = true,
        columns = {
            event_id: 'varchar', session_id: 'varchar', customer_id: 'varchar',
            event_type: 'varchar', product_id: 'varchar', event_ts: 'varchar'
        }
    )
) to $bronze (format parquet);

select count(*) as rows from read_parquet($bronze);
