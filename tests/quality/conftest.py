"""Fixtures of the quality-gate tests: a private copy of the GX project and a tiny lake.

- `gx_home` (session): a MEDALLION_HOME holding a copy of the committed
  great_expectations/ project (without uncommitted/) and the real contracts, so the
  tests run the committed checkpoints without writing results into the repository.
  All tests share it, and so share one Great Expectations context (imported once).
- `lake`: an empty data folder for one test, with writers that put parquet partitions
  and `_COMMITTED.json` markers where the pipeline's Spark jobs would.

Partitions are written the way Spark writes them: one parquet file per partition,
timestamps without a time zone (Spark's INT96 values read back as naive UTC), and the
partition column only in the folder name.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from medallion.lake import candidate_dir, write_commit_marker
from medallion.publication import publish_partition

REPO = Path(__file__).resolve().parents[2]
DATASET = "ecommerce"
TIMESTAMP = pa.timestamp("ns")

# Silver columns as the refine job types them (data/contracts/ecommerce/*.yml).
SILVER_TYPES = {
    "orders": {
        "order_id": pa.string(),
        "customer_id": pa.string(),
        "order_ts": TIMESTAMP,
        "status": pa.string(),
        "payment_method": pa.string(),
        "amount": pa.decimal128(12, 2),
        "updated_at": TIMESTAMP,
    },
    "order_items": {
        "order_id": pa.string(),
        "line_number": pa.int32(),
        "product_id": pa.string(),
        "quantity": pa.int32(),
        "unit_price": pa.decimal128(10, 2),
        "updated_at": TIMESTAMP,
    },
    "customers": {
        "customer_id": pa.string(),
        "full_name": pa.string(),
        "email": pa.string(),
        "segment": pa.string(),
        "region": pa.string(),
        "signup_date": pa.date32(),
        "updated_at": TIMESTAMP,
    },
    "products": {
        "product_id": pa.string(),
        "product_name": pa.string(),
        "category": pa.string(),
        "unit_cost": pa.decimal128(10, 2),
        "list_price": pa.decimal128(10, 2),
        "updated_at": TIMESTAMP,
    },
    "events": {
        "event_id": pa.string(),
        "session_id": pa.string(),
        "customer_id": pa.string(),
        "event_type": pa.string(),
        "product_id": pa.string(),
        "event_ts": TIMESTAMP,
    },
}
LINEAGE_TYPES = {"_ingested_at": TIMESTAMP, "_source_file": pa.string(), "_row_hash": pa.string()}


@pytest.fixture(scope="session")
def gx_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("home")
    (home / "data").mkdir()
    (home / "data" / "contracts").symlink_to(REPO / "data" / "contracts")
    shutil.copytree(
        REPO / "great_expectations",
        home / "great_expectations",
        ignore=shutil.ignore_patterns("uncommitted"),
    )
    return home


@pytest.fixture
def lake(gx_home, tmp_path, monkeypatch) -> LakeWriter:
    monkeypatch.setenv("MEDALLION_HOME", str(gx_home))
    monkeypatch.setenv("MEDALLION_DATA_DIR", str(tmp_path / "data"))
    return LakeWriter(tmp_path / "data")


class LakeWriter:
    """Writes committed partitions of the ecommerce tables from lists of row dicts."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir

    def bronze(
        self,
        table: str,
        ds: str,
        rows: list[dict],
        source_rows: int | None = None,
        drop_columns: tuple[str, ...] = (),
    ) -> None:
        """Raw rows (every contract column a string); `source_rows` defaults to len(rows)."""
        columns = [name for name in SILVER_TYPES[table] if name not in drop_columns]
        types = {**{name: pa.string() for name in [*columns, "_corrupt_record"]}, **LINEAGE_TYPES}
        raw = [{name: _raw(row.get(name)) for name in columns} for row in rows]
        self._write("bronze", table, ds, raw, types, {
            "rows": len(rows),
            "source_rows": len(rows) if source_rows is None else source_rows,
            "source_files": [f"{table}.csv"],
        })  # fmt: skip

    def silver(self, table: str, ds: str, rows: list[dict], types: dict | None = None) -> None:
        """Typed rows; `types` overrides column types (to deliver a wrongly typed column)."""
        all_types = {**SILVER_TYPES[table], **(types or {}), **LINEAGE_TYPES}
        self._write("silver", table, ds, rows, all_types, {"rows": len(rows)})

    def quarantine(self, table: str, ds: str, rows: list[dict]) -> None:
        """Raw rows, each with its `_reject_reason`."""
        names = [*SILVER_TYPES[table], "_corrupt_record"]
        types = {
            **{name: pa.string() for name in names},
            **LINEAGE_TYPES,
            "_reject_reason": pa.string(),
        }
        raw = [{**{name: _raw(row.get(name)) for name in names}, "_reject_reason": row["_reject_reason"]}
               for row in rows]  # fmt: skip
        self._write("quarantine", table, ds, raw, types, {"rows": len(rows)})

    def delivery(
        self, table: str, ds: str, silver: list[dict], quarantined: list[dict] = ()
    ) -> None:
        """A consistent delivery: bronze = silver + quarantined rows, all three committed."""
        self.bronze(table, ds, [*silver, *quarantined])
        self.silver(table, ds, silver)
        self.quarantine(table, ds, list(quarantined))

    def gold(self, mart: str, rows: list[dict], types: dict) -> None:
        """A mart exported by dbt: data/lake/gold/ecommerce/<mart>.parquet."""
        path = self.data_dir / "lake" / "gold" / DATASET / f"{mart}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(_table(rows, types), path)

    def _write(self, layer: str, table: str, ds: str, rows: list[dict], types: dict, stats: dict):
        """Write a partition as the jobs do (a candidate and its commit marker) and publish
        it, as its passed gate would: the lake as a finished run leaves it."""
        folder = candidate_dir(layer, DATASET, table, ds)
        folder.mkdir(parents=True, exist_ok=True)
        if rows:  # Spark writes no file for an empty partition
            with_lineage = [{**_lineage(table, ds, row), **row} for row in rows]
            pq.write_table(_table(with_lineage, types), folder / "part-00000.parquet")
        write_commit_marker(layer, DATASET, table, ds, stats)
        publish_partition(layer, DATASET, table, ds, audit={})


def _table(rows: list[dict], types: dict) -> pa.Table:
    schema = pa.schema([pa.field(name, data_type) for name, data_type in types.items()])
    return pa.Table.from_pylist([{name: row.get(name) for name in types} for row in rows], schema)


def _lineage(table: str, ds: str, row: dict) -> dict:
    fingerprint = json.dumps(row, sort_keys=True, default=str).encode()
    return {
        "_ingested_at": datetime.fromisoformat(f"{ds}T06:00:00"),
        "_source_file": f"{table}/{ds}/{table}.csv",
        "_row_hash": hashlib.sha256(fingerprint).hexdigest(),
    }


def _raw(value) -> str | None:
    """A typed value as the landing file spelled it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Decimal | int):
        return str(value)
    return value.isoformat()
