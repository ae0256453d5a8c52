"""Rows of a layer as its commit markers record them (no data is read)."""

from __future__ import annotations

from medallion.contracts import list_tables
from medallion.lake import published_dates, read_commit_marker


def committed_rows(layer: str, dataset: str, ds: str | None = None) -> int:
    """Rows of every table of a layer, summed over all committed dates (or only `ds`)."""
    total = 0
    for table in list_tables(dataset):
        dates = [ds] if ds else published_dates(layer, dataset, table)
        for date in dates:
            marker = read_commit_marker(layer, dataset, table, date) or {}
            total += int(marker.get("rows", 0))
    return total
