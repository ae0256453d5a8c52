-- Floor, bronze gate of a JSON-lines table: the partition is not empty and holds one row
-- per non-blank line of the landing files.
-- Parameters: $files (the day's JSON-lines files), $bronze (the partition).
with

landed as (
    select count(*) as rows
    from read_csv(
        $files, header = false, delim = '\0', quote = '', escape = '',
        columns = {line: 'varchar'}
    )
    where trim(line) <> ''
),

loaded as (
    select count(*) as rows from read_parquet($bronze)
)

select
    loaded.rows,
    loaded.rows > 0 and loaded.rows = landed.rows as passed
from loaded, landed;
