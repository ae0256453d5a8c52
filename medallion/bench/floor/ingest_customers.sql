-- Floor, landing -> bronze: one day's customer files as delivered (every column a
-- string, as data/contracts/ecommerce/customers.yml names them), plus lineage columns.
-- Parameters: $files (the day's CSV files), $ds (the delivery date), $bronze (output).
copy (
    select
        customer_id, full_name, email, segment, region, signup_date, updated_at,
        now() as _ingested_at,
        filename as _source_file,
        sha256(to_json({
            customer_id: customer_id, full_name: full_name, email: email, segment: segment,
            region: region, signup_date: signup_date, updated_at: updated_at
        })) as _row_hash,
        $ds as ingest_date
    from read_csv(
        $files, header = true, delim = ',', quote = '"', escape = '"', filename = true,
        columns = {
            customer_id: 'varchar', full_name: 'varchar', email: 'varchar', segment: 'varchar',
            region: 'varchar', signup_date: 'varchar', updated_at: 'varchar'
        }
    )
) to $bronze (format parquet);

select count(*) as rows from read_parquet($bronze);
