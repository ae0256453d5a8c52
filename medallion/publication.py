"""Publish what a gate has audited: the last step of write - audit - publish.

A job writes a candidate (see medallion/lake.py); the layer's gate audits it; when the
gate passes, the step calls one of these to put the candidate where readers look:

    publish_partition(layer, dataset, table, ds, audit)   bronze, silver, quarantine
    publish_gold(dataset, audit)                         the warehouse and its exports

Publishing is a rename, not a copy: the previous version is moved aside, the candidate
moved into its place, the previous version deleted. Readers therefore see the old version
or the new one, never a mix of files of both. (For the instant between the two renames
the partition is absent; a reader that lists it then sees no partition for that date,
which is what readers see of a date before its first run.)

When a gate fails nothing is published: `kept_back()` says what readers still see and
where the rejected candidate waits. Re-running the date writes a new candidate, which is
audited and published in turn; nothing has to be cleaned by hand.
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from medallion.lake import (
    COMMIT_MARKER,
    PUBLISHED_MARKER,
    candidate_dir,
    gold_dir,
    partition_dir,
    read_commit_marker,
    warehouse_path,
    write_marker,
)

log = logging.getLogger(__name__)


def publish_partition(layer: str, dataset: str, table: str, ds: str, audit: dict) -> Path | None:
    """Put the audited candidate of a partition in place; return the published folder.

    `audit` (the gate's summary: checks, expectations passed) is kept in the partition's
    `_PUBLISHED.json`. Returns None when there is no candidate: the gate checked the
    partition that was already published (a gate re-run on its own).
    """
    candidate = candidate_dir(layer, dataset, table, ds)
    if not candidate.is_dir():
        return None
    if not (candidate / COMMIT_MARKER).exists():
        raise RuntimeError(
            f"{layer}.{dataset}.{table} {ds}: the candidate {candidate} has no {COMMIT_MARKER} "
            "(its job did not finish); re-run the date."
        )
    _stamp(candidate, audit)
    target = partition_dir(layer, dataset, table, ds)
    _swap_in(candidate, target)
    log.info("published %s.%s.%s %s -> %s", layer, dataset, table, ds, target)
    return target


def publish_gold(dataset: str, audit: dict) -> Path | None:
    """Put the audited candidate warehouse and its parquet exports in place.

    Returns the published warehouse, or None when there was no candidate (the gold gate
    re-checked published gold).
    """
    candidate_warehouse = warehouse_path(dataset, candidate=True)
    if not candidate_warehouse.exists():
        return None
    exports = gold_dir(dataset, candidate=True)
    _stamp(exports, audit)
    _swap_in(exports, gold_dir(dataset))
    warehouse = warehouse_path(dataset)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    # A file is replaced atomically; a DuckDB shell that has the old file open keeps
    # reading the old version until it reconnects.
    os.replace(candidate_warehouse, warehouse)
    log.info("published gold of %s -> %s and %s", dataset, warehouse, gold_dir(dataset))
    return warehouse


def kept_back(layer: str, dataset: str, table: str, ds: str) -> str:
    """What a failed gate leaves for readers, in a sentence or two for its error message."""
    if layer == "gold":
        published = warehouse_path(dataset)
        seen = (
            f"readers still see the gold published before ({published})"
            if published.exists()
            else "no gold has been published yet, so readers see none"
        )
        waiting = f"{warehouse_path(dataset, candidate=True)} and {gold_dir(dataset, True)}"
    else:
        marker = read_commit_marker(layer, dataset, table, ds)
        seen = (
            f"readers still see the version of {ds} committed at {marker['committed_at']}"
            if marker
            else f"readers see no {layer}.{dataset}.{table} rows for {ds}"
        )
        waiting = str(candidate_dir(layer, dataset, table, ds))
    return (
        f"Not published: {seen}. The rejected version waits in {waiting} for inspection; "
        "fix the data and re-run the date to publish it."
    )


def _stamp(folder: Path, audit: dict) -> None:
    """Write `_PUBLISHED.json`: when the folder was published, on the strength of what."""
    body = {"published_at": datetime.now(UTC).isoformat(timespec="seconds"), "audit": audit}
    write_marker(folder / PUBLISHED_MARKER, body)


def _swap_in(candidate: Path, target: Path) -> None:
    """Replace `target` by `candidate` with two renames; delete the old version after."""
    target.parent.mkdir(parents=True, exist_ok=True)
    retired = candidate.with_name(f"{candidate.name}.retired")
    if retired.exists():  # left by a publication that crashed between its renames
        shutil.rmtree(retired)
    if target.exists():
        os.replace(target, retired)
    os.replace(candidate, target)
    if retired.exists():
        shutil.rmtree(retired)
