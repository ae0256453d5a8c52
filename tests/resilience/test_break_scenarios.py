"""Every "Break it!" scenario (medallion.faults), injected into a copy of a clean run.

For each one: the pipeline does what docs/resilience.md promises while the fault is
there, and once the fault is removed and the date re-run the invariants hold:
- every landing row is in bronze, and every bronze row in silver or quarantine;
- no key occurs twice in a silver delivery, no grain twice in a gold mart;
- gold equals the gold of the clean run, mart by mart, row by row.
Dates are re-run in-process (support/pipeline.py: the DAG's own step functions).
"""

from __future__ import annotations

import json
import logging
import shutil
import threading

import duckdb
import pytest
from airflow.sdk.exceptions import AirflowFailException
from support.airflow import ECOMMERCE_DATES
from support.lake_checks import (
    assert_lake_invariants,
    layer_rows,
    quarantined_files,
)
from support.pipeline import run_bronze, run_date, run_gold, run_silver

from medallion.extract_api import extract_products
from medallion.faults import deliveries, environment
from medallion.faults.crash import kill_refine_mid_write
from medallion.lake import candidate_dir, read_commit_marker
from medallion.sources.catalogue_api import CatalogueServer, move_to_catalogue
from medallion.summary import print_summary

pytestmark = pytest.mark.integration

FIRST, BROKEN = ECOMMERCE_DATES  # the fault goes into the second day's delivery


def failure_of(step, *args) -> str:
    """Run a step that must fail at once as a data error; return its message."""
    with pytest.raises(AirflowFailException) as failure:
        step(*args)
    return str(failure.value)


def redeliver(clean_lake, data_dir, table: str, ds: str) -> None:
    """The source sends its original files again (what fixing a bad export means)."""
    target = data_dir / "landing" / "ecommerce" / table / ds
    shutil.rmtree(target)
    shutil.copytree(clean_lake.data_dir / "landing" / "ecommerce" / table / ds, target)


def test_corrupt_files_are_quarantined_and_the_rerun_restores_gold(
    spark, clean_lake, broken_lake, capsys
):
    for inject in [
        deliveries.add_unparseable_rows,
        deliveries.add_truncated_file,
        deliveries.add_binary_file,
        deliveries.add_latin1_file,
        deliveries.add_empty_file,
    ]:
        inject(BROKEN)
    bronze_before = read_commit_marker("bronze", "ecommerce", "order_items", BROKEN)

    expected = {
        "order_items": ("order_items-part-00001.csv", "truncated_file"),
        "products": ("products-part-00001.csv", "binary_content"),
        "customers": ("customers-part-00001.csv", "wrong_encoding"),
        "events": ("events-part-00001.jsonl", "empty_file"),
    }
    for table, (name, reason) in expected.items():
        message = failure_of(run_bronze, spark, table, BROKEN)
        assert name in message and reason in message, message
        assert quarantined_files(broken_lake, table, BROKEN) == {name: reason}
        assert not (broken_lake / "landing" / "ecommerce" / table / BROKEN / name).exists()
    # Nothing of the failed ingests was written: bronze is the previous run's.
    assert read_commit_marker("bronze", "ecommerce", "order_items", BROKEN) == bronze_before
    # `make demo`'s summary lists the quarantined files.
    capsys.readouterr()
    print_summary("ecommerce")
    listed = capsys.readouterr().out.split("unreadable files in quarantine")[1]
    for name, reason in expected.values():
        assert f"{name}: {reason}" in listed, listed

    # A readable file with a few bad rows is loaded; the rows go to quarantine.
    run_bronze(spark, "orders", BROKEN)
    assert run_silver(spark, "orders", BROKEN)["quarantined_by_reason"]["unparseable_row"] == 3

    # The unreadable files are out of landing now: re-running the date loads the rest.
    run_date(spark, BROKEN)
    assert_lake_invariants(broken_lake, clean_lake.gold, ECOMMERCE_DATES)


def test_duplicate_deliveries_leave_gold_unchanged(spark, clean_lake, broken_lake):
    deliveries.redeliver_same_file(BROKEN)
    deliveries.overlap_previous_day(BROKEN)
    result = run_date(spark, BROKEN, ["orders"])
    quarantined = result["silver"]["orders"]["quarantined_by_reason"]
    clean_rows = layer_rows(clean_lake.data_dir, "silver", "orders", BROKEN)
    assert quarantined["duplicate_row"] >= clean_rows, quarantined  # the whole second copy
    assert_lake_invariants(broken_lake, clean_lake.gold, ECOMMERCE_DATES)
    # And re-running the date once more changes nothing.
    run_date(spark, BROKEN, ["orders"])
    assert_lake_invariants(broken_lake, clean_lake.gold, ECOMMERCE_DATES)


def daily_revenue(data_dir, day: str) -> float:
    with duckdb.connect(str(data_dir / "warehouse" / "ecommerce.duckdb"), read_only=True) as con:
        query = "select sum(revenue) from agg_daily_sales where order_date = ?"
        return float(con.execute(query, [day]).fetchone()[0])


def test_late_orders_land_in_their_own_day(spark, clean_lake, broken_lake):
    changes = deliveries.deliver_late(BROKEN)
    assert all(" 0 rows" not in change for change in changes), changes
    clean_revenue = daily_revenue(clean_lake.data_dir, FIRST)

    run_date(spark, FIRST, ["orders", "order_items"])
    assert daily_revenue(broken_lake, FIRST) < clean_revenue  # the late orders are missing
    run_date(spark, BROKEN, ["orders", "order_items"])
    assert daily_revenue(broken_lake, FIRST) == clean_revenue
    assert_lake_invariants(broken_lake, clean_lake.gold, ECOMMERCE_DATES)


def test_schema_drift(spark, clean_lake, broken_lake):
    published_before = read_commit_marker("silver", "ecommerce", "orders", BROKEN)
    deliveries.add_column(BROKEN)
    deliveries.drop_column(BROKEN)
    deliveries.change_amount_format(BROKEN)

    # An added column is kept in bronze and flagged; nothing else changes.
    assert run_bronze(spark, "products", BROKEN)["extra_columns"] == ["supplier"]
    bronze = broken_lake / "lake" / "bronze" / "ecommerce" / "products" / f"ingest_date={BROKEN}"
    suppliers = duckdb.execute(
        "select distinct supplier from read_parquet(?)", [str(bronze / "*.parquet")]
    ).fetchall()
    assert suppliers == [("ACME",)]
    # A missing contract column fails the ingest at once, naming file and column.
    message = failure_of(run_bronze, spark, "customers", BROKEN)
    assert "customers-part-00000.csv" in message and "'email'" in message, message
    # A changed type sends every order to quarantine, and the silver gate stops the run.
    run_bronze(spark, "orders", BROKEN)
    message = failure_of(run_silver, spark, "orders", BROKEN)
    assert "rejected_share" in message, message
    # The rejected version waits as a candidate; readers still see the published one.
    candidate = candidate_dir("silver", "ecommerce", "orders", BROKEN)
    rejected = read_commit_marker("silver", "ecommerce", "orders", BROKEN, folder=candidate)
    before = published_before["quarantined_by_reason"].get("invalid_type:amount", 0)
    assert rejected["quarantined_by_reason"]["invalid_type:amount"] > before, rejected
    assert read_commit_marker("silver", "ecommerce", "orders", BROKEN) == published_before

    for table in ("customers", "orders"):
        redeliver(clean_lake, broken_lake, table, BROKEN)
    run_date(spark, BROKEN, ["products", "customers", "orders"])
    assert_lake_invariants(broken_lake, clean_lake.gold, ECOMMERCE_DATES)


def test_crash_mid_write_keeps_the_committed_partition(spark, clean_lake, broken_lake):
    committed = read_commit_marker("silver", "ecommerce", "orders", BROKEN)
    silver = broken_lake / "lake" / "silver" / "ecommerce" / "orders" / f"ingest_date={BROKEN}"

    report = kill_refine_mid_write("ecommerce", "orders", BROKEN)
    assert report.killed_mid_write, "the job ended before it could be killed mid-write"
    assert read_commit_marker("silver", "ecommerce", "orders", BROKEN) == committed
    assert layer_rows(broken_lake, "silver", "orders", BROKEN) == committed["rows"]
    rows = duckdb.execute("select * from read_parquet(?)", [str(silver / "*.parquet")]).fetchall()
    assert len(rows) == committed["rows"]

    run_silver(spark, "orders", BROKEN)
    run_gold(BROKEN)
    assert_lake_invariants(broken_lake, clean_lake.gold, ECOMMERCE_DATES)


def test_metrics_down_does_not_stop_the_pipeline(
    spark, clean_lake, broken_lake, monkeypatch, caplog
):
    monkeypatch.setenv("AIRFLOW_HOME", str(broken_lake.parent / "airflow_home"))
    [change] = environment.pushgateway_down()
    fault = environment.faults_env_file().read_text()
    url = fault.split(":= ")[1].strip()
    monkeypatch.setenv("MEDALLION_PUSHGATEWAY_URL", url)
    # The push warns once per process; forget earlier tests' warnings.
    monkeypatch.setattr("monitoring.pushgateway._logged_once", set())

    run_date(spark, BROKEN, ["orders"])
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and url in r.getMessage()]
    assert warnings, f"no warning about the unreachable gateway at {url}"
    assert_lake_invariants(broken_lake, clean_lake.gold, ECOMMERCE_DATES)


def test_webhook_down_fault_is_written_for_the_next_runs(broken_lake, monkeypatch):
    monkeypatch.setenv("AIRFLOW_HOME", str(broken_lake.parent / "airflow_home"))
    environment.webhook_down()
    environment.webhook_down()  # breaking twice keeps one entry
    lines = environment.faults_env_file().read_text().splitlines()
    [line] = lines
    connection = json.loads(line.split(":= ", 1)[1])
    assert connection["conn_type"] == "slackwebhook"
    assert connection["password"].startswith("http://127.0.0.1:")


def test_network_timeout_is_retried_until_the_api_recovers(spark, clean_lake, broken_lake, caplog):
    move_to_catalogue(broken_lake / "landing" / "ecommerce" / "products" / BROKEN)
    api = CatalogueServer("127.0.0.1", 0)
    api.faults.set({"mode": "503", "count": 3, "retry_after_s": 0.2})
    threading.Thread(target=api.serve_forever, daemon=True).start()
    try:
        with caplog.at_level(logging.WARNING, logger="medallion.http_source"):
            result = extract_products(api.url(), BROKEN)  # the DAG's retry policy
    finally:
        api.shutdown()
        api.server_close()
    retries = [record for record in caplog.records if "failed (HTTP 503)" in record.getMessage()]
    assert len(retries) == 3 and api.faults.calls == 4
    assert result["rows"] == layer_rows(clean_lake.data_dir, "bronze", "products", BROKEN)

    run_date(spark, BROKEN, ["products"])
    assert_lake_invariants(broken_lake, clean_lake.gold, ECOMMERCE_DATES)
