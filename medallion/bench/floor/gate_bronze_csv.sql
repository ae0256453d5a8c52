-- Floor, bronze gate of a CSV table: the partition is not empty and holds as many rows
-- as the landing files, counted again by a second read of the files.
-- Parameters: $files (the day's CSV files), $bronze (the partition).
with

landed as (
    select count(*) as rows
    from read_csv($files, header = true, all_varchar = true, quote = '"', escape = '"')
),

loaded as (
    select count(*) as rows from read_parquet($bronze)
)

select
    loaded.rows,
    loaded.rows > 0 and loaded.rows = landed.rows as passed
from loaded, landed;
