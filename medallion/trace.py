"""Follow one record from its landing file to the gold rows it feeds: `make trace`.

"Where did this number come from?" A key (an order, a student's mark on a day, a
sensor's reading) is looked up in every layer, in published data only:

    landing   the file and line of every delivery of the key      data/landing/...
    bronze    that row as loaded, with its `_row_hash`            lake/bronze (published)
    silver    the row kept, or the quarantine reason per delivery  lake/silver, lake/quarantine
    winner    the version gold uses (latest version across deliveries, as the dbt
              staging model decides: asked of the warehouse, not re-implemented here)
    gold      the mart rows the winning version contributes to    data/warehouse/<dataset>.duckdb

Every query is DuckDB with the key as bound parameters. Landing lines are found by
reading the delivered file in plain Python (medallion.source_records), as it was
delivered: the line of a CSV record is the line it starts on, the header being line 1.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from medallion.contracts import DECIMAL_TYPE, Contract, list_tables, load_contract
from medallion.errors import DataError
from medallion.lake import published_dates, table_dir, warehouse_path
from medallion.settings import load_settings
from medallion.source_records import open_text

# The table a key names in each dataset, and the gold rows its winning version feeds:
# (mart, SQL with one `?` per primary-key column, in the contract's order).
TRACED_TABLES = {"ecommerce": "orders", "attendance": "records", "sensors": "readings"}
GOLD_QUERIES = {
    "ecommerce": [
        ("fct_orders", "select * from fct_orders where order_id = ?"),
        (
            "agg_daily_sales",
            # Only revenue orders are counted in the daily sales (see the mart).
            "select * from agg_daily_sales where (order_date, category, region, segment) in "
            "(select (order_date, category, region, segment) from int_order_lines_enriched "
            "where order_id = ? and is_revenue) order by all",
        ),
        (
            "dim_customers",
            "select * from dim_customers where customer_id in "
            "(select customer_id from fct_orders where order_id = ?)",
        ),
    ],
    "attendance": [
        (
            "attendance_weekly_report",
            "select * from attendance_weekly_report where (week_start, campus, class_id) in "
            "(select (week_start, campus, class_id) from int_attendance_marks_enriched "
            "where student_id = ? and attendance_date = cast(? as date))",
        ),
        (
            "attendance_chronic_absentees",
            "select * from attendance_chronic_absentees where student_id in "
            "(select student_id from stg_attendance__records "
            "where student_id = ? and attendance_date = cast(? as date))",
        ),
    ],
    "sensors": [
        (
            "sensors_hourly_readings",
            "select * from sensors_hourly_readings where (reading_hour, site, device_id) in "
            "(select (reading_hour, site, device_id) from int_sensors_readings_enriched "
            "where device_id = ? and measured_at = cast(? as timestamptz))",
        ),
        (
            "sensors_anomalies",
            "select * from sensors_anomalies "
            "where device_id = ? and measured_at = cast(? as timestamptz)",
        ),
    ],
}
# Contract types as DuckDB names them (decimals are passed through after a check).
DUCKDB_TYPES = {
    "string": "varchar",
    "integer": "integer",
    "long": "bigint",
    "double": "double",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamptz",
}
KEY_SEPARATOR = ","


class TraceError(DataError):
    """The question cannot be answered: unknown dataset or key, or no data yet."""


@dataclass
class Delivery:
    """One bronze row of the key: where it landed and what became of it."""

    ingest_date: str
    source_file: str  # <folder>/<ds>/<file>, under data/landing/<dataset>/
    row_hash: str
    values: dict  # the values as delivered (strings, None for empty)
    line: int | None = None  # line in the landing file where the record starts
    outcome: str = ""  # "silver" or "quarantine: <reason>"
    is_winner: bool = False


@dataclass
class Trace:
    dataset: str
    table: str
    key: dict[str, str]
    deliveries: list[Delivery] = field(default_factory=list)
    gold: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def winner(self) -> Delivery | None:
        return next((delivery for delivery in self.deliveries if delivery.is_winner), None)


def parse_key(contract: Contract, key: str) -> dict[str, str]:
    """`KEY` as the contract's primary-key columns: values in key order, comma-separated."""
    values = [value.strip() for value in key.split(KEY_SEPARATOR)]
    if not key.strip() or len(values) != len(contract.primary_key):
        example = KEY_SEPARATOR.join(f"<{name}>" for name in contract.primary_key)
        raise TraceError(
            f"{contract.dataset}.{contract.table} is keyed by {list(contract.primary_key)}: "
            f'give KEY="{example}" (got {key!r})'
        )
    key_values = dict(zip(contract.primary_key, values, strict=True))
    for name, value in key_values.items():
        type_name = _duckdb_type(contract.column(name).type)
        try:  # the contract's type name (checked), the value bound
            duckdb.execute(f"select cast(? as {type_name})", [value])
        except duckdb.Error:
            raise TraceError(
                f"{name} is a {contract.column(name).type} in {contract.dataset}.{contract.table}, "
                f"not {value!r}"
            ) from None
    return key_values


def trace_record(dataset: str, key: str) -> Trace:
    """Everything the layers hold about one key of the dataset's traced table."""
    if dataset not in TRACED_TABLES:
        raise TraceError(
            f"unknown dataset {dataset!r}: trace knows {sorted(TRACED_TABLES)}; "
            "give DATASET=ecommerce|attendance|sensors"
        )
    table = TRACED_TABLES[dataset]
    if table not in list_tables(dataset):
        raise TraceError(f"no contract for {dataset}.{table} in data/contracts/{dataset}/")
    contract = load_contract(dataset, table)
    trace = Trace(dataset, table, parse_key(contract, key))
    dates = published_dates("bronze", dataset, table)
    if not dates:
        raise TraceError(
            f"{dataset}.{table} has no published bronze partition yet: run the pipeline "
            f"first (make demo DATASET={dataset})"
        )
    with duckdb.connect() as con:
        con.execute("set time zone 'UTC'")
        for ds in dates:
            trace.deliveries += _deliveries_of(con, contract, trace.key, ds)
    if not trace.deliveries:
        raise TraceError(
            f"{dataset}.{table}: no delivery holds {trace.key} (published dates "
            f"{dates[0]} to {dates[-1]}). Check the key, e.g. with "
            f"`medallion summary {dataset}` or a landing file."
        )
    _find_landing_lines(contract, trace.deliveries)
    _mark_winner_and_gold(trace)
    return trace


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _duckdb_type(contract_type: str) -> str:
    if DECIMAL_TYPE.fullmatch(contract_type):
        return contract_type
    return DUCKDB_TYPES[contract_type]


def _key_condition(contract: Contract, raw: bool) -> str:
    """A where clause on the key columns with one `?` each. Bronze and quarantine hold
    the values as delivered (`raw`): trimmed, case-normalised and cast as silver does."""
    conditions = []
    for name in contract.primary_key:
        column, type_name = contract.column(name), _duckdb_type(contract.column(name).type)
        value = _quoted(name)
        if raw:
            value = f"nullif(trim({value}), '')"
            if column.normalize in ("lower", "upper"):
                value = f"{column.normalize}({value})"
            value = f"try_cast({value} as {type_name})"
        conditions.append(f"{value} = cast(? as {type_name})")
    return " and ".join(conditions)


def _rows(con, layer: str, contract: Contract, key: dict, ds: str, columns: str) -> list[dict]:
    folder = table_dir(layer, contract.dataset, contract.table) / f"ingest_date={ds}"
    if not any(folder.glob("*.parquet")):
        return []
    # Only quoted column names from the contract are spliced in; the key is bound.
    where = _key_condition(contract, raw=layer != "silver")
    query = f"select {columns} from read_parquet(?) where {where}"  # noqa: S608
    cursor = con.execute(query, [str(folder / "*.parquet"), *key.values()])
    names = [description[0] for description in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _deliveries_of(con, contract: Contract, key: dict, ds: str) -> list[Delivery]:
    """The key's bronze rows of one delivery, each with its silver or quarantine outcome.

    A bronze row and its silver or quarantine row share `_source_file` and `_row_hash`;
    exact copies share both, so outcomes are handed out per (file, hash): silver first.
    """
    data = ", ".join(_quoted(name) for name in contract.column_names)
    bronze = _rows(con, "bronze", contract, key, ds, f"{data}, _source_file, _row_hash")
    silver = _rows(con, "silver", contract, key, ds, "_source_file, _row_hash")
    rejected = _rows(
        con, "quarantine", contract, key, ds, "_source_file, _row_hash, _reject_reason"
    )
    outcomes: dict[tuple, list[str]] = {}
    for row in silver:
        outcomes.setdefault((row["_source_file"], row["_row_hash"]), []).append("silver")
    for row in sorted(rejected, key=lambda row: row["_reject_reason"]):
        origin = (row["_source_file"], row["_row_hash"])
        outcomes.setdefault(origin, []).append(f"quarantine: {row['_reject_reason']}")
    deliveries = []
    for row in sorted(bronze, key=lambda row: (row["_source_file"], row["_row_hash"])):
        pending = outcomes.get((row["_source_file"], row["_row_hash"]), [])
        deliveries.append(
            Delivery(
                ingest_date=ds,
                source_file=row["_source_file"],
                row_hash=row["_row_hash"],
                values={name: row[name] for name in contract.column_names},
                outcome=pending.pop(0) if pending else "not in silver or quarantine",
            )
        )
    return deliveries


def _find_landing_lines(contract: Contract, deliveries: list[Delivery]) -> None:
    """Set each delivery's line: the landing record with exactly its delivered values
    (exact copies get the matching lines in order)."""
    landing = load_settings().landing_dir / contract.dataset
    by_file: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        by_file.setdefault(delivery.source_file, []).append(delivery)
    for source_file, rows in by_file.items():
        path = landing / source_file
        if not path.exists():
            continue  # moved or removed since it was loaded: bronze still has the row
        lines = {}
        for line, values in _landing_records(contract, path):
            lines.setdefault(_signature(values), []).append(line)
        for delivery in rows:
            matching = lines.get(_signature(delivery.values), [])
            delivery.line = matching.pop(0) if matching else None


def _signature(values: dict) -> tuple:
    """Delivered values compared as Spark loaded them: empty text is null."""
    return tuple(None if value in ("", None) else str(value) for value in values.values())


def _landing_records(contract: Contract, path: Path):
    """(line number, {contract column: delivered value}) for every record in the file."""
    names = contract.renamed_from_source()
    with open_text(path, contract.source_encoding) as handle:
        if contract.source_format == "jsonl":
            for line, text in enumerate(handle, start=1):
                try:
                    record = json.loads(text)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    renamed = {names.get(k, k): v for k, v in record.items()}
                    yield (
                        line,
                        {name: _as_text(renamed.get(name)) for name in contract.column_names},
                    )
            return
        reader = csv.reader(handle, delimiter=contract.source_delimiter)
        header = [names.get(name, name) for name in next(reader, [])]
        start = reader.line_num + 1
        for fields in reader:
            record = dict(zip(header, fields, strict=False))
            yield start, {name: record.get(name) for name in contract.column_names}
            start = reader.line_num + 1


def _as_text(value) -> str | None:
    """A JSON value as Spark reads it into a string column."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _mark_winner_and_gold(trace: Trace) -> None:
    """Ask the warehouse which delivery's version gold uses and which mart rows it feeds."""
    warehouse = warehouse_path(trace.dataset)
    if not warehouse.exists():
        return  # gold not built yet: the trace stops at silver, and says so
    contract = load_contract(trace.dataset, trace.table)
    staging = f"stg_{trace.dataset}__{trace.table}"
    key = list(trace.key.values())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set time zone 'UTC'")
        # The staging model's name and the contract's key columns, quoted; the key bound.
        where = _key_condition(contract, raw=False)
        query = f"select cast(ingest_date as varchar) from {_quoted(staging)} where {where}"  # noqa: S608
        current = con.execute(query, key).fetchall()
        for delivery in trace.deliveries:
            delivery.is_winner = bool(current) and (
                delivery.outcome == "silver" and delivery.ingest_date == current[0][0]
            )
        for mart, query in GOLD_QUERIES[trace.dataset]:
            cursor = con.execute(query, key)
            names = [description[0] for description in cursor.description]
            trace.gold[mart] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
