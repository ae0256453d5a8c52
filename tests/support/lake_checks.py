"""Independent looks at a data folder: landing records, layer rows, duplicate keys, gold.

Everything here reads the files directly (Python's csv module, DuckDB over parquet), not
through the pipeline's own code, so the invariants it checks can catch the pipeline out.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import duckdb

DATASET = "ecommerce"
KEYS = {
    "customers": ["customer_id"],
    "products": ["product_id"],
    "orders": ["order_id"],
    "order_items": ["order_id", "line_number"],
    "events": ["event_id"],
}
# Gold marts and their grain (what must be unique in each).
GOLD_GRAIN = {
    "fct_orders": ["order_id"],
    "dim_customers": ["customer_id"],
    "dim_products": ["product_id"],
    "agg_daily_sales": ["order_date", "category", "region", "segment"],
    "agg_customer_segments": ["segment", "value_tier"],
}


def landing_records(data_dir: Path, table: str, ds: str) -> int:
    """Records in a table's landing files of one date (CSV without header; JSON lines)."""
    total = 0
    for path in sorted((data_dir / "landing" / DATASET / table / ds).iterdir()):
        if path.suffix == ".jsonl":
            total += sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line)
        elif path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                total += sum(1 for _ in csv.reader(handle)) - 1
    return total


def layer_rows(data_dir: Path, layer: str, table: str, ds: str) -> int:
    folder = data_dir / "lake" / layer / DATASET / table / f"ingest_date={ds}"
    if not any(folder.glob("*.parquet")):
        return 0
    with duckdb.connect() as con:
        query = "select count(*) from read_parquet(?)"
        return con.execute(query, [str(folder / "*.parquet")]).fetchone()[0]


def repeated(rows: list[tuple]) -> int:
    """How many distinct values occur more than once."""
    return sum(1 for count in Counter(rows).values() if count > 1)


def key_columns(names: list[str]) -> list:
    return [duckdb.ColumnExpression(name) for name in names]


def silver_duplicate_keys(data_dir: Path, table: str) -> int:
    """Keys occurring more than once within one delivery date of silver."""
    files = str(data_dir / "lake" / "silver" / DATASET / table / "*" / "*.parquet")
    with duckdb.connect() as con:
        silver = con.read_parquet(files, hive_partitioning=True)
        return repeated(silver.select(*key_columns(["ingest_date", *KEYS[table]])).fetchall())


def gold_duplicate_grains(data_dir: Path) -> dict[str, int]:
    """Per mart, grain values occurring more than once."""
    with duckdb.connect(str(data_dir / "warehouse" / f"{DATASET}.duckdb"), read_only=True) as con:
        return {
            mart: repeated(con.table(mart).select(*key_columns(grain)).fetchall())
            for mart, grain in GOLD_GRAIN.items()
        }


def gold_snapshot(data_dir: Path) -> dict[str, list[tuple]]:
    """Every gold mart's rows, sorted, read from the warehouse."""
    with duckdb.connect(str(data_dir / "warehouse" / f"{DATASET}.duckdb"), read_only=True) as con:
        return {mart: sorted(con.table(mart).fetchall(), key=repr) for mart in GOLD_GRAIN}


def quarantined_files(data_dir: Path, table: str, ds: str) -> dict[str, str]:
    """Files moved to the file quarantine, by name, with their recorded reason."""
    folder = data_dir / "lake" / "quarantine" / DATASET / "_files" / table / ds
    if not folder.exists():
        return {}
    reasons = [json.loads(path.read_text()) for path in folder.glob("*.reason.json")]
    return {
        reason["file"]: reason["reason"] for reason in reasons if (folder / reason["file"]).exists()
    }


def assert_lake_invariants(data_dir: Path, clean_gold: dict, dates: list[str]) -> None:
    """Nothing lost, nothing duplicated, gold as a clean run left it."""
    for table in KEYS:
        for ds in dates:
            bronze = layer_rows(data_dir, "bronze", table, ds)
            assert landing_records(data_dir, table, ds) == bronze, (
                f"landing != bronze: {table} {ds}"
            )
            settled = layer_rows(data_dir, "silver", table, ds) + layer_rows(
                data_dir, "quarantine", table, ds
            )
            assert settled == bronze, f"silver + quarantine != bronze: {table} {ds}"
        assert silver_duplicate_keys(data_dir, table) == 0, f"duplicate keys in silver {table}"
    assert gold_duplicate_grains(data_dir) == dict.fromkeys(GOLD_GRAIN, 0)
    assert gold_snapshot(data_dir) == clean_gold, "gold differs from the clean run's gold"
