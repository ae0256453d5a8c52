"""The benchmark harness works end to end at a tiny scale, with the parse and dbt extras.

Timings are not asserted beyond being measured: a benchmark is not a timed test. What is
asserted is that every stage ran, the report has the figures docs/benchmarks.md explains,
and the DuckDB floor computes the same gold as the pipeline, so it is a real second
implementation of the same work and not a cheaper, different one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.services import require

pytestmark = pytest.mark.spark
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    require("JAVA_HOME" in os.environ, "Spark needs JAVA_HOME: run the tests with `make test`")
    work = tmp_path_factory.mktemp("bench")
    command = [
        sys.executable, "-m", "medallion.bench", "--scale", "tiny", "--grouping", "layer",
        "--with", "parse,dbt", "--work-dir", str(work / "work"), "--out-dir", str(work / "out"),
        "--name", "tiny",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    assert (work / "out" / "tiny.md").read_text(encoding="utf-8").startswith("# Benchmark")
    return json.loads((work / "out" / "tiny.json").read_text(encoding="utf-8"))


def test_every_stage_is_measured_beside_the_floor(report):
    names = [stage["name"] for stage in report["stages"]]
    assert names == [
        "bronze/ingest_all",
        "bronze/validate_all",
        "silver/refine_all",
        "silver/validate_all",
        "gold/build_gold",
        "gold/validate_gold",
    ]
    for stage in report["stages"]:
        assert stage["seconds"] > 0, stage
        assert stage["floor_seconds"] > 0, stage
        assert stage["peak_rss_mb"] > 0, stage
        assert stage["rows"] > 0, stage
        assert stage["rows_per_second"] > 0, stage
        assert stage["ratio"] == pytest.approx(stage["seconds"] / stage["floor_seconds"], rel=0.06)


def test_spark_stages_report_start_up_apart_from_work(report):
    ingest = report["stages"][0]
    assert 0 < ingest["answer"]["startup_seconds"] < ingest["seconds"]
    assert set(ingest["answer"]["tables"]) == {
        "customers", "products", "orders", "order_items", "events"
    }  # fmt: skip


def test_the_whole_run_is_the_sum_of_its_stages(report):
    whole = report["layers"][-1]
    assert whole["name"] == "whole run"
    assert whole["seconds"] == pytest.approx(sum(s["seconds"] for s in report["stages"]), 0.01)
    assert whole["floor_seconds"] > 0


def test_the_floor_builds_the_same_gold_as_the_pipeline(report):
    agreement = report["floor_agrees_with_gold"]
    assert agreement["rows"] > 0
    assert agreement["differing_rows"] == 0
    assert agreement["ours_revenue"] == pytest.approx(agreement["floor_revenue"])
    assert agreement["ours_order_count"] == agreement["floor_order_count"]


def test_the_floor_quarantines_what_the_pipeline_quarantines(report):
    ours = report["stages"][3]["rows"]  # silver rows the silver gates read
    floor = sum(
        stage["answer"]["rows"]
        for stage in report["floor_stages"]
        if stage["name"].startswith("silver/validate_")
    )
    assert ours == floor


def test_the_report_names_the_machine(report):
    machine = report["machine"]
    assert machine["cores"] >= 1
    assert machine["ram_gb"] > 0
    assert len(machine["load_average_at_start"]) == 3
    for version in ("python", "java", "spark", "duckdb", "dbt"):
        assert machine[version]


def test_the_parse_and_dbt_extras_measure_every_dag_and_model(report):
    dag_files = sorted(path.name for path in (REPO / "airflow" / "dags").glob("*.py"))
    assert sorted(report["parse"]["files"]) == dag_files
    for name, measured in report["parse"]["files"].items():
        assert measured["import_errors"] == {}, name
        assert measured["first_parse_seconds"] > 0, name
    ecommerce_models = sorted(
        path.stem for path in (REPO / "dbt" / "models" / "ecommerce").rglob("*.sql")
    )
    assert report["dbt"]["models"] == len(ecommerce_models)
    measured_models = sorted(
        name.split(".")[-1] for name in report["dbt"]["model_execution_seconds"]
    )
    assert measured_models == ecommerce_models
