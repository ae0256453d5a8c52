"""The lake's layout on disk and its commit markers.

    data/landing/<dataset>/<folder>/<ds>/*.csv|*.jsonl      what sources deliver
    data/lake/bronze/<dataset>/<table>/ingest_date=<ds>/    raw rows, all strings
    data/lake/silver/<dataset>/<table>/ingest_date=<ds>/    typed, clean, one row per key
    data/lake/quarantine/<dataset>/<table>/ingest_date=<ds>/  rejected rows + _reject_reason
    data/lake/quarantine/<dataset>/_files/<table>/<ds>/      unreadable files + reasons
    data/warehouse/<dataset>.duckdb                          gold marts (dbt)
    data/lake/gold/<dataset>/<mart>.parquet                  gold marts exported

Every layer is partitioned by the delivery date (`ingest_date`), so a run for one date
replaces exactly that date's partitions and nothing else: re-runs and backfills are
idempotent and can run in any order. A partition counts only once its commit marker
`_COMMITTED.json` exists; the marker is written after the data, so a crash mid-write
never leaves a partition that looks complete.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from medallion.settings import load_settings

LAYERS = ("bronze", "silver", "quarantine", "gold")
PARTITION_COLUMN = "ingest_date"
COMMIT_MARKER = "_COMMITTED.json"


class UncommittedPartitionError(RuntimeError):
    """A partition has data but no commit marker: its writer did not finish."""


def landing_dir(dataset: str, folder: str, ds: str) -> Path:
    return load_settings().landing_dir / dataset / folder / ds


def table_dir(layer: str, dataset: str, table: str) -> Path:
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; expected one of {LAYERS}")
    return load_settings().lake_dir / layer / dataset / table


def partition_dir(layer: str, dataset: str, table: str, ds: str) -> Path:
    return table_dir(layer, dataset, table) / f"{PARTITION_COLUMN}={ds}"


def file_quarantine_dir(dataset: str) -> Path:
    """Where whole delivered files that could not be read are kept, with their reasons."""
    return load_settings().lake_dir / "quarantine" / dataset / "_files"


def quarantined_files_dir(dataset: str, table: str, ds: str) -> Path:
    return file_quarantine_dir(dataset) / table / ds


def write_commit_marker(layer: str, dataset: str, table: str, ds: str, stats: dict) -> Path:
    """Declare a partition complete, recording what was written into it.

    Written atomically (temporary file + rename), so readers see either no marker or a
    whole one.
    """
    folder = partition_dir(layer, dataset, table, ds)
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / COMMIT_MARKER
    body = {
        "layer": layer,
        "dataset": dataset,
        "table": table,
        "ingest_date": ds,
        "committed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **stats,
    }
    temporary = folder / f".{COMMIT_MARKER}.tmp"
    temporary.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, marker)
    return marker


def read_commit_marker(layer: str, dataset: str, table: str, ds: str) -> dict | None:
    """The marker of a partition, or None if the partition was never committed."""
    marker = partition_dir(layer, dataset, table, ds) / COMMIT_MARKER
    if not marker.exists():
        return None
    return json.loads(marker.read_text(encoding="utf-8"))


def committed_dates(layer: str, dataset: str, table: str) -> list[str]:
    """Delivery dates whose partition of this table is committed, oldest first."""
    root = table_dir(layer, dataset, table)
    prefix = f"{PARTITION_COLUMN}="
    return sorted(
        folder.name.removeprefix(prefix)
        for folder in root.glob(f"{prefix}*")
        if (folder / COMMIT_MARKER).exists()
    )


def assert_all_committed(layer: str, dataset: str, table: str) -> list[str]:
    """Fail if any partition of the table lacks its marker; return the committed dates."""
    root = table_dir(layer, dataset, table)
    prefix = f"{PARTITION_COLUMN}="
    unfinished = sorted(
        folder.name.removeprefix(prefix)
        for folder in root.glob(f"{prefix}*")
        if not (folder / COMMIT_MARKER).exists()
    )
    if unfinished:
        raise UncommittedPartitionError(
            f"{layer}.{dataset}.{table}: partitions {unfinished} were not committed "
            f"(a writer stopped half way). Re-run those dates to rebuild them."
        )
    return committed_dates(layer, dataset, table)
