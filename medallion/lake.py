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
idempotent and can run in any order.

Write - audit - publish. A job never writes where readers look. It writes a *candidate*
of the partition under the table's hidden `_candidates/` folder and, last, its commit
marker `_COMMITTED.json` (so a crash mid-write never leaves a candidate that looks
complete). The layer's quality gate audits the candidate; only when it passes is the
candidate *published*: moved into place as `ingest_date=<ds>/`, with `_PUBLISHED.json`
beside the commit marker (medallion.publication). Readers - the next layer, dbt's
sources, the gold gate, summaries, benchmarks, labs - read `ingest_date=<ds>/` folders
only, so they see published partitions and nothing else. A candidate that failed its
gate stays in `_candidates/` for inspection until the date is re-run.

    data/lake/<layer>/<dataset>/<table>/_candidates/ingest_date=<ds>/   written, not yet audited
    data/warehouse/_candidates/<dataset>.duckdb, data/lake/gold/_candidates/<dataset>/
                                                       gold built by dbt, not yet audited

Spark and DuckDB skip folders whose names start with `_` when they list a table, so
no reader picks up a candidate by accident.
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
PUBLISHED_MARKER = "_PUBLISHED.json"
CANDIDATES = "_candidates"


class UncommittedPartitionError(RuntimeError):
    """A partition has data but no commit marker: its writer did not finish."""


def landing_dir(dataset: str, folder: str, ds: str) -> Path:
    return load_settings().landing_dir / dataset / folder / ds


def table_dir(layer: str, dataset: str, table: str) -> Path:
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; expected one of {LAYERS}")
    return load_settings().lake_dir / layer / dataset / table


def partition_dir(layer: str, dataset: str, table: str, ds: str) -> Path:
    """The published partition: what readers see."""
    return table_dir(layer, dataset, table) / f"{PARTITION_COLUMN}={ds}"


def candidate_dir(layer: str, dataset: str, table: str, ds: str) -> Path:
    """Where a job writes a partition for its gate to audit; readers never look here."""
    return table_dir(layer, dataset, table) / CANDIDATES / f"{PARTITION_COLUMN}={ds}"


def audited_dir(layer: str, dataset: str, table: str, ds: str) -> Path:
    """The partition a gate checks: the candidate waiting for it, else the published one
    (a gate re-run on its own after its partition was published checks what readers see)."""
    candidate = candidate_dir(layer, dataset, table, ds)
    return candidate if candidate.is_dir() else partition_dir(layer, dataset, table, ds)


def warehouse_path(dataset: str, candidate: bool = False) -> Path:
    """The gold warehouse readers use, or the candidate dbt builds for the gold gate."""
    folder = load_settings().warehouse_dir
    return (folder / CANDIDATES if candidate else folder) / f"{dataset}.duckdb"


def gold_dir(dataset: str, candidate: bool = False) -> Path:
    """The folder of a dataset's gold parquet exports, published or candidate."""
    folder = load_settings().lake_dir / "gold"
    return (folder / CANDIDATES if candidate else folder) / dataset


def file_quarantine_dir(dataset: str) -> Path:
    """Where whole delivered files that could not be read are kept, with their reasons."""
    return load_settings().lake_dir / "quarantine" / dataset / "_files"


def quarantined_files_dir(dataset: str, table: str, ds: str) -> Path:
    return file_quarantine_dir(dataset) / table / ds


def write_commit_marker(layer: str, dataset: str, table: str, ds: str, stats: dict) -> Path:
    """Declare a candidate partition complete, recording what was written into it."""
    body = {
        "layer": layer,
        "dataset": dataset,
        "table": table,
        "ingest_date": ds,
        "committed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **stats,
    }
    return write_marker(candidate_dir(layer, dataset, table, ds) / COMMIT_MARKER, body)


def write_marker(marker: Path, body: dict) -> Path:
    """Write a JSON marker atomically (temporary file + rename): readers see no marker
    or a whole one."""
    marker.parent.mkdir(parents=True, exist_ok=True)
    temporary = marker.with_name(f".{marker.name}.tmp")
    temporary.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, marker)
    return marker


def read_commit_marker(
    layer: str, dataset: str, table: str, ds: str, folder: Path | None = None
) -> dict | None:
    """The commit marker of the published partition (or of `folder`), None if missing."""
    marker = (folder or partition_dir(layer, dataset, table, ds)) / COMMIT_MARKER
    if not marker.exists():
        return None
    return json.loads(marker.read_text(encoding="utf-8"))


def published_dates(layer: str, dataset: str, table: str) -> list[str]:
    """Delivery dates whose partition of this table is published, oldest first."""
    root = table_dir(layer, dataset, table)
    prefix = f"{PARTITION_COLUMN}="
    return sorted(
        folder.name.removeprefix(prefix)
        for folder in root.glob(f"{prefix}*")
        if (folder / COMMIT_MARKER).exists()
    )


def unpublished_candidates(dataset: str, tables: list[str]) -> list[tuple[str, str, str]]:
    """(layer, table, ds) of every candidate waiting in a table's `_candidates/` folder:
    written, but not published because its gate failed (or has not run yet)."""
    waiting = []
    for layer in ("bronze", "silver", "quarantine"):
        for table in tables:
            root = table_dir(layer, dataset, table) / CANDIDATES
            for folder in sorted(root.glob(f"{PARTITION_COLUMN}=*")):
                if folder.is_dir() and not folder.name.endswith(".retired"):
                    waiting.append((layer, table, folder.name.removeprefix(f"{PARTITION_COLUMN}=")))
    return waiting


def assert_all_committed(layer: str, dataset: str, table: str) -> list[str]:
    """Fail if any published partition lacks its commit marker (a partition written by an
    older version of the project, in place, and interrupted); return the published dates."""
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
    return published_dates(layer, dataset, table)
