"""Independent looks at the lake for Lab 4: nothing lost, nothing doubled, gold agrees.

Lab 4 breaks the pipeline and asks the participant to prove the recovery. These checks
read the files directly — Python's csv module for landing, DuckDB SQL over the parquet
files and the warehouse — and recompute what gold must hold from silver, so they would
catch the pipeline out rather than repeat what it logged about itself.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import duckdb

from medallion.contracts import list_tables, load_contract
from medallion.lake import landing_dir, partition_dir, table_dir
from medallion.settings import load_settings
from medallion.teaching.checkpoints import parquet_rows

DATASET = "ecommerce"


def landing_records(folder: Path) -> int:
    """Records in a delivery folder: CSV rows under the header, non-empty JSON lines."""
    total = 0
    for path in sorted(folder.glob("*")):
        if path.suffix == ".jsonl":
            lines = path.read_text(encoding="utf-8").splitlines()
            total += sum(1 for line in lines if line.strip())
        elif path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                total += max(sum(1 for _ in csv.reader(handle)) - 1, 0)
    return total


def unsettled(ds: str) -> list[str]:
    """Per table of one date: where landing, bronze, silver and quarantine disagree."""
    problems = []
    for table in list_tables(DATASET):
        contract = load_contract(DATASET, table)
        landed = landing_records(landing_dir(DATASET, contract.source_folder, ds))
        bronze = parquet_rows(partition_dir("bronze", DATASET, table, ds)) or 0
        silver = parquet_rows(partition_dir("silver", DATASET, table, ds)) or 0
        quarantined = parquet_rows(partition_dir("quarantine", DATASET, table, ds)) or 0
        if landed != bronze:
            problems.append(f"{table}: {landed:,} landing records but {bronze:,} in bronze")
        elif silver + quarantined != bronze:
            problems.append(
                f"{table}: silver {silver:,} + quarantine {quarantined:,} != bronze {bronze:,}"
            )
    return problems


def duplicate_silver_keys() -> list[str]:
    """Tables with a key occurring twice within one delivery date of silver."""
    problems = []
    with duckdb.connect() as con:
        for table in list_tables(DATASET):
            folder = table_dir("silver", DATASET, table)
            if not any(folder.glob("*/*.parquet")):
                continue
            key = ["ingest_date", *load_contract(DATASET, table).primary_key]
            silver = con.read_parquet(str(folder / "*" / "*.parquet"), hive_partitioning=True)
            keys = silver.select(*[duckdb.ColumnExpression(column) for column in key])
            repeated = sum(1 for count in Counter(keys.fetchall()).values() if count > 1)
            if repeated:
                problems.append(f"{table}: {repeated:,} keys twice in one delivery of silver")
    return problems


# The current version of every order in silver, as the gold layer must see it: the row
# updated last; equal timestamps go to the later delivery, then the smaller row hash.
CURRENT_ORDERS = """
    create temp table current_orders as
    select order_id, status, amount
    from read_parquet(?, hive_partitioning = true)
    qualify row_number() over (
        partition by order_id order by updated_at desc, ingest_date desc, _row_hash asc
    ) = 1
"""
GOLD_ONLY = """
    select count(*) from (
        select order_id, status, amount from fct_orders except all select * from current_orders
    )
"""
SILVER_ONLY = """
    select count(*) from (
        select * from current_orders except all select order_id, status, amount from fct_orders
    )
"""


def gold_disagrees_with_silver() -> list[str]:
    """Where the warehouse's fct_orders differs from a recomputation over silver."""
    warehouse = load_settings().warehouse_dir / f"{DATASET}.duckdb"
    if not warehouse.exists():
        return [f"no warehouse at {warehouse}"]
    silver = str(table_dir("silver", DATASET, "orders") / "*" / "*.parquet")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute(CURRENT_ORDERS, [silver])
        if not con.execute("select count(*) from current_orders").fetchone()[0]:
            return ["silver holds no orders"]
        gold_only = con.execute(GOLD_ONLY).fetchone()[0]
        silver_only = con.execute(SILVER_ONLY).fetchone()[0]
    if gold_only or silver_only:
        return [
            f"fct_orders has {gold_only:,} rows that silver's current orders lack, and lacks "
            f"{silver_only:,} of them"
        ]
    return []


def current_order_count() -> int:
    """Orders in silver, one per order id (what fct_orders must hold)."""
    silver = str(table_dir("silver", DATASET, "orders") / "*" / "*.parquet")
    with duckdb.connect() as con:
        con.execute(CURRENT_ORDERS, [silver])
        return con.execute("select count(*) from current_orders").fetchone()[0]


def quarantine_reasons(table: str, ds: str) -> dict[str, int]:
    """Rows of one date's quarantine partition, by reject reason."""
    folder = partition_dir("quarantine", DATASET, table, ds)
    if not any(folder.glob("*.parquet")):
        return {}
    with duckdb.connect() as con:
        rows = con.execute(
            "select _reject_reason, count(*) from read_parquet(?) group by 1",
            [str(folder / "*.parquet")],
        ).fetchall()
    return dict(rows)


def rows_by_source_file(layer: str, table: str, ds: str) -> dict[str, int]:
    """Rows of one date's partition by the landing file they came from (its name)."""
    folder = partition_dir(layer, DATASET, table, ds)
    if not any(folder.glob("*.parquet")):
        return {}
    with duckdb.connect() as con:
        rows = con.execute(
            "select _source_file, count(*) from read_parquet(?) group by 1",
            [str(folder / "*.parquet")],
        ).fetchall()
    return {Path(source).name: count for source, count in rows}
