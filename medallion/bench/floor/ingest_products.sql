-- Floor, landing -> bronze: one day's catalogue files as delivered (every column a
-- string, as data/contracts/ecommerce/products.yml names them), plus lineage columns.
-- Parameters: $files (the day's CSV files), $ds (the delivery date), $bronze (output).
copy (
    select
        product_id, product_name, category, unit_cost, list_price, updated_at,
        now() as _ingested_at,
        filename as _source_file,
        sha256(to_json({
            product_id: product_id, product_name: product_name, category: category,
            unit_cost: unit_cost, list_price: list_price, updated_at: updated_at
        })) as _row_hash,
        $ds as ingest_date
    from read_csv(
        $files, header = true, delim = ',', quote = '"', escape = '"', filename = true,
        columns = {
            product_id: 'varchar', product_name: 'varchar', category: 'varchar',
            unit_cost: 'varchar', list_price: 'varchar', updated_at: 'varchar'
        }
    )
) to $bronze (format parquet);

select count(*) as rows from read_parquet($bronze);
