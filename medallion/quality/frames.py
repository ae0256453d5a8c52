"""Lake partitions as pandas DataFrames, the form the gates hand to Great Expectations.

A gate checks what its layer's job has just written: the candidate partition, or the
published one when no candidate waits (medallion.lake.audited_dir); gold likewise.

Partitions are read with pyarrow (no Spark: a gate must cost little next to the step it
checks). Columns stay arrow-backed in pandas (`pd.ArrowDtype`): no copy into Python
objects, decimals stay exact, and nulls stay nulls in integer columns. Two exceptions,
because Great Expectations checks ranges of numpy columns vectorised but walks arrow
columns value by value (1M rows: about 4 s per checked column): timestamps become
numpy `datetime64[us, UTC]`, and integer columns without nulls numpy `int64`.

Frame shapes, per layer (see medallion/lake.py):
- bronze:     every contract column as a string + `_corrupt_record` + lineage columns
- silver:     every contract column typed as the contract says + lineage columns
- quarantine: the bronze columns + `_reject_reason`
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from medallion.contracts import DECIMAL_TYPE, Contract
from medallion.lake import audited_dir, gold_dir, partition_dir, read_commit_marker, warehouse_path

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

LINEAGE_COLUMNS = ("_ingested_at", "_source_file", "_row_hash")
CORRUPT_RECORD = "_corrupt_record"
REJECT_REASON = "_reject_reason"
# Reasons the refine step quarantines rows that are expected behaviour of a source (an
# event sent twice, an order updated twice in one day), not rows breaking a contract rule.
DEDUPLICATION_REASONS = ("duplicate_row", "superseded_in_delivery")


class MissingPartitionError(FileNotFoundError):
    """A gate was asked to check a partition (or mart) that was never committed."""


def committed_marker(layer: str, contract: Contract, ds: str) -> dict:
    """The commit marker of the audited partition; fail clearly if it is not committed."""
    folder = audited_dir(layer, contract.dataset, contract.table, ds)
    marker = read_commit_marker(layer, contract.dataset, contract.table, ds, folder=folder)
    if marker is None:
        raise MissingPartitionError(
            f"{layer}.{contract.dataset}.{contract.table} has no committed partition for {ds} "
            f"({folder}/_COMMITTED.json is missing): run the step that writes it first."
        )
    return marker


def read_partition_table(
    layer: str, contract: Contract, ds: str, columns: list[str] | None = None
) -> pa.Table:
    """The audited partition as an arrow table, timestamps in UTC.

    An empty partition has no parquet file and so no schema of its own; it is returned
    with the schema the layer promises, so that a gate reports its emptiness and nothing
    else.
    """
    import pyarrow.parquet as pq

    committed_marker(layer, contract, ds)
    folder = audited_dir(layer, contract.dataset, contract.table, ds)
    if any(folder.glob("*.parquet")):
        # pyarrow skips `_COMMITTED.json` and Spark's `.crc` files (leading `_` and `.`).
        table = pq.read_table(folder, columns=columns)
    else:
        table = layer_schema(layer, contract).empty_table()
        if columns is not None:
            table = table.select(columns)
    return _with_utc_timestamps(table)


def read_partition(
    layer: str, contract: Contract, ds: str, columns: list[str] | None = None
) -> pd.DataFrame:
    """The audited partition as a DataFrame (see the module docstring for its dtypes)."""
    return to_pandas(read_partition_table(layer, contract, ds, columns))


def count_rows(layer: str, contract: Contract, ds: str, published: bool = False) -> int:
    """Rows in the audited partition (or the published one), from the parquet footers."""
    import pyarrow.dataset as pads

    if published:
        folder = partition_dir(layer, contract.dataset, contract.table, ds)
        if read_commit_marker(layer, contract.dataset, contract.table, ds) is None:
            raise MissingPartitionError(
                f"{layer}.{contract.dataset}.{contract.table} has no published partition "
                f"for {ds} ({folder}): run the step that writes it, and its gate, first."
            )
    else:
        committed_marker(layer, contract, ds)
        folder = audited_dir(layer, contract.dataset, contract.table, ds)
    if not any(folder.glob("*.parquet")):
        return 0
    return pads.dataset(folder, format="parquet").count_rows()


def mart_path(dataset: str, mart: str) -> Path:
    """The export of a gold mart the gold gate checks: the candidate dbt has just built
    (data/lake/gold/_candidates/<dataset>/<mart>.parquet), else the published one."""
    candidate = warehouse_path(dataset, candidate=True).exists()
    return gold_dir(dataset, candidate=candidate) / f"{mart}.parquet"


def read_mart(dataset: str, mart: str) -> pd.DataFrame:
    """The audited export of a gold mart as a DataFrame."""
    import pyarrow.parquet as pq

    path = mart_path(dataset, mart)
    if not path.exists():
        raise MissingPartitionError(
            f"gold mart {dataset}.{mart} was not exported to {path}: run `dbt build` first."
        )
    return to_pandas(_with_utc_timestamps(pq.read_table(path)))


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow-backed columns, except where numpy lets GX vectorise (module docstring)."""
    import pandas as pd
    import pyarrow as pa

    def dtype(arrow_type: pa.DataType):
        return None if pa.types.is_timestamp(arrow_type) else pd.ArrowDtype(arrow_type)

    # Strings with 64-bit offsets: filtering rows (as GX does to list unexpected values)
    # joins a column's chunks into one, and 32-bit offsets overflow past 2 GB of text,
    # which a day of 55 million events' row hashes exceeds (measured with `make bench`).
    table = table.cast(
        pa.schema(
            [
                field.with_type(pa.large_string()) if pa.types.is_string(field.type) else field
                for field in table.schema
            ]
        )
    )
    frame = table.to_pandas(types_mapper=dtype)
    for name in table.column_names:
        column = table[name]
        if pa.types.is_integer(column.type) and column.null_count == 0:
            frame[name] = frame[name].to_numpy(dtype="int64")
    return frame


def layer_schema(layer: str, contract: Contract) -> pa.Schema:
    """The arrow schema a layer promises for a contract's table."""
    import pyarrow as pa

    lineage = [
        pa.field("_ingested_at", pa.timestamp("us", tz="UTC")),
        pa.field("_source_file", pa.string()),
        pa.field("_row_hash", pa.string()),
    ]
    if layer == "silver":
        typed = [pa.field(column.name, arrow_type(column.type)) for column in contract.columns]
        return pa.schema([*typed, *lineage])
    raw = [pa.field(name, pa.string()) for name in [*contract.column_names, CORRUPT_RECORD]]
    if layer == "bronze":
        return pa.schema([*raw, *lineage])
    if layer == "quarantine":
        return pa.schema([*raw, *lineage, pa.field(REJECT_REASON, pa.string())])
    raise ValueError(f"no partition schema for layer {layer!r}")


def arrow_type(contract_type: str) -> pa.DataType:
    """The arrow type of a contract type such as `decimal(12,2)` or `timestamp`."""
    import pyarrow as pa

    decimal = DECIMAL_TYPE.fullmatch(contract_type)
    if decimal:
        return pa.decimal128(int(decimal.group(1)), int(decimal.group(2)))
    return {
        "string": pa.string(),
        "integer": pa.int32(),
        "long": pa.int64(),
        "double": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us", tz="UTC"),
    }[contract_type]


def _with_utc_timestamps(table: pa.Table) -> pa.Table:
    """Timestamps as microseconds in UTC, whatever the writer chose.

    Spark writes timestamps as INT96 by default, which arrow reads as nanoseconds without
    a time zone; our Spark sessions run in UTC, so the values are UTC wall-clock times.
    One unit and zone for every timestamp lets the suites name one type and compare
    with one aware `validation_time`.
    """
    import pyarrow as pa

    fields = [
        pa.field(field.name, pa.timestamp("us", tz="UTC"))
        if pa.types.is_timestamp(field.type)
        else field
        for field in table.schema
    ]
    return table.cast(pa.schema(fields))
