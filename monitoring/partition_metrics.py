"""Push the numbers of a just-written lake partition, read from its commit marker.

The marker (`_COMMITTED.json`, medallion.lake) is what the writing job recorded about the
partition, so the metrics say exactly what the job wrote. It is read from the partition
its gate audits (the candidate, before the gate publishes it):

| layer      | marker fields used           | pushed as                                   |
|------------|------------------------------|---------------------------------------------|
| bronze     | rows, source_rows            | layer rows, input rows (landing rows)       |
| silver     | rows, bronze_rows            | layer rows, input rows (bronze rows)        |
| quarantine | rows_by_reason               | quarantined rows by reason, and their total |
| gold       | rows                         | layer rows                                  |

For every layer but quarantine, the rows of the latest published delivery date before
`ds` are pushed too: the baseline of the RowCountDrop alert. Comparing with the previous
delivery in the lake, not with whatever ran last, keeps re-runs and backfills honest.
"""

from __future__ import annotations

from medallion.lake import audited_dir, published_dates, read_commit_marker
from monitoring.metrics import push_layer_rows, push_quarantine

# The marker field that holds the rows a layer's job read, per layer.
INPUT_ROWS_FIELD = {"bronze": "source_rows", "silver": "bronze_rows"}


def push_partition_metrics(
    pipeline: str, task: str, layer: str, dataset: str, table: str, ds: str
) -> bool:
    """Push the row counts of `layer`/`dataset`/`table`/ingest_date=`ds` from its marker.

    Call it after the partition is committed; returns True if the gateway took the metrics.
    """
    folder = audited_dir(layer, dataset, table, ds)
    marker = read_commit_marker(layer, dataset, table, ds, folder=folder)
    if marker is None:
        raise ValueError(
            f"{folder} has no commit marker: push its "
            f"metrics after the job that writes it has committed it"
        )
    if layer == "quarantine":
        if "rows_by_reason" not in marker:
            raise ValueError(
                f"the commit marker of {folder} has no "
                f"rows_by_reason: the quarantine writer must record why rows were rejected"
            )
        return push_quarantine(pipeline, task, table, ds, marker["rows_by_reason"])
    input_field = INPUT_ROWS_FIELD.get(layer)
    return push_layer_rows(
        pipeline,
        task,
        layer,
        table,
        ds,
        marker["rows"],
        input_rows=marker.get(input_field) if input_field else None,
        previous_rows=previous_published_rows(layer, dataset, table, ds),
    )


def previous_published_rows(layer: str, dataset: str, table: str, ds: str) -> int | None:
    """Rows of the latest published partition before `ds`, or None if there is none."""
    earlier = [date for date in published_dates(layer, dataset, table) if date < ds]
    if not earlier:
        return None
    return read_commit_marker(layer, dataset, table, earlier[-1])["rows"]
