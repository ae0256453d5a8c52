"""Write - audit - publish: what a failed gate keeps from readers, layer by layer.

Each test starts from a copy of the clean two-day run, makes one layer's gate fail on a
re-run of a date, and checks that readers still see exactly what was published before:
the partition's commit marker and rows, gold mart by mart. Then a later run (or the
fixed re-run) publishes, and gold equals the clean run's gold again. Steps run
in-process (support/pipeline.py); a failed silver gate under Airflow, followed by a new
day, is tests/integration/test_quality_gate_stops_dag.py.
"""

from __future__ import annotations

import json
import shutil

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from airflow.sdk.exceptions import AirflowFailException
from support.airflow import ECOMMERCE_DATES
from support.lake_checks import assert_lake_invariants, gold_snapshot, layer_rows
from support.pipeline import DATASET, PIPELINE, run_date, run_gold, run_silver

from medallion.faults import deliveries
from medallion.lake import (
    COMMIT_MARKER,
    candidate_dir,
    gold_dir,
    read_commit_marker,
    unpublished_candidates,
    warehouse_path,
)
from medallion.steps import gate_step, gold_step, ingest_step, refine_step

pytestmark = pytest.mark.integration

FIRST, SECOND = ECOMMERCE_DATES


def gate_failure(layer: str, table: str, ds: str) -> str:
    with pytest.raises(AirflowFailException) as failure:
        gate_step(layer, DATASET, table, ds, PIPELINE, f"validate_{layer}_{table}")
    return str(failure.value)


def published_files(data_dir) -> dict[str, bytes]:
    """Every file readers of gold see, with its bytes."""
    files = [warehouse_path(DATASET), *sorted(gold_dir(DATASET).glob("*"))]
    return {str(path.relative_to(data_dir)): path.read_bytes() for path in files}


def test_a_failed_silver_gate_leaves_readers_the_published_version(spark, clean_lake, broken_lake):
    published = read_commit_marker("silver", DATASET, "orders", FIRST)
    changes = deliveries.break_an_order_amount(FIRST)
    broken_order = changes[0].split()[2]

    ingest_step(spark, DATASET, "orders", FIRST, PIPELINE, "ingest_orders")
    gate_step("bronze", DATASET, "orders", FIRST, PIPELINE, "validate_bronze_orders")
    refine_step(spark, DATASET, "orders", FIRST, PIPELINE, "refine_orders")
    message = gate_failure("silver", "orders", FIRST)

    assert "_amount_minus_items_total" in message, message
    assert f"Not published: readers still see the version of {FIRST} committed at" in message
    assert str(candidate_dir("silver", DATASET, "orders", FIRST)) in message
    assert read_commit_marker("silver", DATASET, "orders", FIRST) == published
    assert ("silver", "orders", FIRST) in unpublished_candidates(DATASET, ["orders"])

    # The next day runs cleanly: its gold is built from published silver only, so the
    # broken amount never reaches it (before write - audit - publish it did: 0.00).
    run_date(spark, SECOND)
    assert gold_snapshot(broken_lake) == clean_lake.gold
    amount = duckdb.execute(
        "select amount from read_parquet(?) where order_id = ?",
        [str(gold_dir(DATASET) / "fct_orders.parquet"), broken_order],
    ).fetchone()
    assert amount is not None and float(amount[0]) > 0, amount

    # The source re-delivers the correct file; re-running the date publishes it.
    original = changes[1].split("cp ")[1].split()[0]
    shutil.copy(original, deliveries.delivery_file("orders", FIRST))
    run_date(spark, FIRST, ["orders"])
    assert unpublished_candidates(DATASET, ["orders"]) == []
    assert_lake_invariants(broken_lake, clean_lake.gold, ECOMMERCE_DATES)


def test_a_failed_bronze_gate_leaves_readers_the_published_version(spark, clean_lake, broken_lake):
    published = read_commit_marker("bronze", DATASET, "orders", SECOND)
    ingest_step(spark, DATASET, "orders", SECOND, PIPELINE, "ingest_orders")
    # An ingest that lost rows: its commit marker says the files held more than it wrote.
    marker = candidate_dir("bronze", DATASET, "orders", SECOND) / COMMIT_MARKER
    body = json.loads(marker.read_text())
    marker.write_text(json.dumps({**body, "source_rows": body["source_rows"] + 7}))

    message = gate_failure("bronze", "orders", SECOND)
    assert "Not published: readers still see the version of" in message, message
    assert read_commit_marker("bronze", DATASET, "orders", SECOND) == published
    # The next layer reads what is published: the refine goes on from the audited bronze.
    run_silver(spark, "orders", SECOND)
    assert layer_rows(broken_lake, "bronze", "orders", SECOND) == published["rows"]
    run_gold(SECOND)
    assert gold_snapshot(broken_lake) == clean_lake.gold


def test_a_failed_gold_gate_leaves_published_gold_unchanged(clean_lake, broken_lake):
    before = published_files(broken_lake)
    gold_step(DATASET, SECOND, PIPELINE, "build_gold")
    # A model that repeats a grain: one order twice in the candidate fct_orders.
    candidate = gold_dir(DATASET, candidate=True) / "fct_orders.parquet"
    orders = pq.read_table(candidate)
    pq.write_table(pa.concat_tables([orders, orders.slice(0, 1)]), candidate)

    message = gate_failure("gold", "marts", SECOND)
    assert "Not published: readers still see the gold published before" in message, message
    assert published_files(broken_lake) == before
    assert gold_snapshot(broken_lake) == clean_lake.gold

    run_gold(SECOND)  # a correct build is audited and published
    assert not warehouse_path(DATASET, candidate=True).exists()
    assert gold_snapshot(broken_lake) == clean_lake.gold
