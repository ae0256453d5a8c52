"""Every DAG file parses cleanly, cheaply and follows the project's policies.

Parsing runs in a fresh interpreter with no Airflow connections defined: a DAG that
looked up a connection (or read a file, or imported Spark) while being parsed would
fail or show up here. "Cheaply" means no heavy imports at parse time; how long parsing
takes is measured by `make bench` (its parse stage), not asserted in a timed test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from medallion.contracts import list_tables
from medallion.quality.gold_suites import marts

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "airflow" / "dags"
DAG_FILES = sorted(DAGS_FOLDER.glob("*.py"))
CONTRACTS_FOLDER = DAGS_FOLDER.parents[1] / "data" / "contracts"
ALLOWED_TAGS = {"ecommerce", "attendance", "sensors", "medallion", "lab", "byod"}
HEAVY_MODULES = ["pyspark", "great_expectations", "pandas", "duckdb", "dbt"]

PARSE_SCRIPT = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(sys.argv[2])))
dags = {}
for dag_id, dag in bag.dags.items():
    dags[dag_id] = {
        "fileloc": dag.fileloc,
        "tags": sorted(dag.tags),
        "doc_md": dag.doc_md or "",
        "catchup": dag.catchup,
        "dagrun_timeout": dag.dagrun_timeout and dag.dagrun_timeout.total_seconds(),
        # An asset-scheduled DAG's timetable has a condition over assets; a cron one, None.
        "schedule_assets": sorted(
            asset.uri for asset in getattr(condition, "objects", [condition])
        ) if (condition := getattr(dag.timetable, "asset_condition", None)) else [],
        "tasks": {
            task.task_id: {
                "owner": task.owner,
                "retries": task.retries,
                "backoff": bool(task.retry_exponential_backoff),
                "timeout": task.execution_timeout and task.execution_timeout.total_seconds(),
                "downstream": sorted(task.downstream_task_ids),
                "multiple_outputs": getattr(task, "multiple_outputs", False),
                "outlets": [{"uri": a.uri, "name": a.name, "group": a.group} for a in task.outlets],
            }
            for task in dag.tasks
        },
    }
print(json.dumps({"errors": bag.import_errors, "heavy": heavy, "dags": dags}))
"""


def parse_dags_folder(airflow_home, **settings: str) -> dict:
    """Parse the dags folder in a clean interpreter without connections."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW_CONN_")}
    env.update(settings)
    env.setdefault("AIRFLOW_HOME", str(airflow_home))
    env["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    result = subprocess.run(
        [sys.executable, "-c", PARSE_SCRIPT, str(DAGS_FOLDER), json.dumps(HEAVY_MODULES)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    return parse_dags_folder(tmp_path_factory.mktemp("airflow_home"))


def test_every_dataset_with_a_contract_has_a_dag_file():
    datasets = {path.name for path in CONTRACTS_FOLDER.iterdir() if path.is_dir()}
    dag_datasets = {path.stem.rsplit("_", 1)[0] for path in DAG_FILES}
    assert datasets, f"no contracts under {CONTRACTS_FOLDER}"
    # Every dataset has its pipeline DAG; a DAG such as ecommerce_report names its dataset too.
    assert dag_datasets == datasets, (
        "each data/contracts/<dataset> needs airflow/dags/<dataset>_<schedule>.py"
    )


def test_no_import_errors(parsed):
    assert parsed["errors"] == {}


def test_one_dag_per_file_named_like_the_file(parsed):
    by_file = {Path(dag["fileloc"]).stem: dag_id for dag_id, dag in parsed["dags"].items()}
    assert sorted(by_file) == sorted(path.stem for path in DAG_FILES)
    assert all(stem == dag_id for stem, dag_id in by_file.items())


def test_no_heavy_imports_while_parsing(parsed):
    assert parsed["heavy"] == [], "move these imports inside the task functions"


def test_dag_policies(parsed):
    for dag_id, dag in parsed["dags"].items():
        assert dag["doc_md"].strip(), f"{dag_id}: doc_md is empty"
        assert dag["tags"] and set(dag["tags"]) <= ALLOWED_TAGS, f"{dag_id}: tags {dag['tags']}"
        assert dag["catchup"] is False, f"{dag_id}: catchup must be explicit and off"
        for task_id, task in dag["tasks"].items():
            assert task["owner"] not in ("", "airflow"), f"{dag_id}.{task_id}: set an owner"
            assert task["retries"] >= 2, f"{dag_id}.{task_id}: retries < 2"
            assert task["backoff"], f"{dag_id}.{task_id}: no exponential backoff"


def test_every_task_and_run_has_a_timeout(parsed):
    """A hung Spark job, dbt run or HTTP call must fail and alert, not block the DAG."""
    for dag_id, dag in parsed["dags"].items():
        assert dag["dagrun_timeout"], f"{dag_id}: set dagrun_timeout"
        for task_id, task in dag["tasks"].items():
            assert task["timeout"], f"{dag_id}.{task_id}: set execution_timeout"
            # One try must fit in the run with room for the retries.
            assert task["timeout"] * 2 <= dag["dagrun_timeout"], f"{dag_id}.{task_id}"


def test_ecommerce_dag_covers_every_contract(parsed):
    tasks = parsed["dags"]["ecommerce_daily"]["tasks"]
    for table in list_tables("ecommerce"):
        assert f"bronze.ingest_{table}" in tasks
        assert f"silver.refine_{table}" in tasks
    assert "gold.build_gold" in tasks


@pytest.mark.parametrize(
    ("dag_id", "dataset"), [("attendance_daily", "attendance"), ("sensors_hourly", "sensors")]
)
def test_dataset_dag_covers_every_contract(parsed, dag_id, dataset):
    tasks = parsed["dags"][dag_id]["tasks"]
    for table in list_tables(dataset):
        assert f"bronze.ingest_{table}" in tasks
        assert f"bronze.validate_bronze_{table}" in tasks
        assert f"silver.refine_{table}" in tasks
        assert f"silver.validate_silver_{table}" in tasks
    assert {"gold.build_gold", "gold.validate_gold", "publish_run_summary"} <= set(tasks)
    ingest_tasks = sorted(task_id for task_id in tasks if ".ingest_" in task_id)
    assert ingest_tasks == [f"bronze.ingest_{table}" for table in list_tables(dataset)]


def test_a_task_returning_a_dict_pushes_one_xcom(parsed):
    """multiple_outputs=True would push every key of the dict as an XCom of its own."""
    for dag_id, dag in parsed["dags"].items():
        for task_id, task in dag["tasks"].items():
            assert task["multiple_outputs"] is False, f"{dag_id}.{task_id}"


@pytest.mark.parametrize(
    ("dag_id", "dataset"),
    [
        ("ecommerce_daily", "ecommerce"),
        ("attendance_daily", "attendance"),
        ("sensors_hourly", "sensors"),
    ],
)
def test_each_gate_publishes_its_layer_as_assets(parsed, dag_id, dataset):
    """The gates carry the outlets (write - audit - publish): bronze and silver one per
    table of the contracts, gold one per mart the gold gate checks; no other task."""
    expected = {
        f"bronze.validate_bronze_{table}": [("bronze", table)] for table in list_tables(dataset)
    }
    expected |= {
        f"silver.validate_silver_{table}": [("silver", table)] for table in list_tables(dataset)
    }
    expected["gold.validate_gold"] = [("gold", mart.name) for mart in marts(dataset)]
    tasks = parsed["dags"][dag_id]["tasks"]
    found = {task_id: task["outlets"] for task_id, task in tasks.items() if task["outlets"]}
    assert sorted(found) == sorted(expected)
    for task_id, layer_tables in expected.items():
        assert sorted(found[task_id], key=lambda asset: asset["uri"]) == sorted(
            (
                {
                    "uri": f"medallion://{layer}/{dataset}/{table}",
                    "name": f"{layer}.{dataset}.{table}",
                    "group": layer,
                }
                for layer, table in layer_tables
            ),
            key=lambda asset: asset["uri"],
        ), task_id


def test_the_report_runs_on_gold_assets_a_gate_publishes(parsed):
    report = parsed["dags"]["ecommerce_report"]
    assert report["schedule_assets"] == ["medallion://gold/ecommerce/agg_daily_sales"]
    gold_gate = parsed["dags"]["ecommerce_daily"]["tasks"]["gold.validate_gold"]
    published = {asset["uri"] for asset in gold_gate["outlets"]}
    assert set(report["schedule_assets"]) <= published
    # Every other DAG runs on a clock, not on assets.
    others = [dag_id for dag_id, dag in parsed["dags"].items() if dag["schedule_assets"]]
    assert others == ["ecommerce_report"]


def test_postgres_source_adds_extract_tasks_before_ingest(tmp_path):
    parsed = parse_dags_folder(tmp_path, MEDALLION_ECOMMERCE_SOURCE="postgres")
    assert parsed["errors"] == {}
    tasks = parsed["dags"]["ecommerce_daily"]["tasks"]
    extracts = sorted(task_id for task_id in tasks if ".extract_" in task_id)
    assert extracts == [
        "bronze.extract_customers",
        "bronze.extract_order_items",
        "bronze.extract_orders",
        "bronze.extract_products",
    ]


def test_catalogue_api_adds_an_extract_task_before_ingesting_products(tmp_path):
    parsed = parse_dags_folder(tmp_path, MEDALLION_ECOMMERCE_PRODUCTS="api")
    assert parsed["errors"] == {}
    tasks = parsed["dags"]["ecommerce_daily"]["tasks"]
    assert sorted(task_id for task_id in tasks if ".extract_" in task_id) == [
        "bronze.extract_products_api"
    ]
    assert tasks["bronze.extract_products_api"]["downstream"] == ["bronze.ingest_products"]
    assert tasks["bronze.extract_products_api"]["retries"] == 3


def test_products_cannot_come_from_two_sources(tmp_path):
    parsed = parse_dags_folder(
        tmp_path, MEDALLION_ECOMMERCE_PRODUCTS="api", MEDALLION_ECOMMERCE_SOURCE="postgres"
    )
    [error] = parsed["errors"].values()
    assert "not both" in error
