"""What `medallion new-dataset` writes into a copy of the project, without running it.

The DAG must pass the same policies as the project's own DAGs (tests/dags); a second
table joins the dataset's DAG and dbt sources without overwriting the first one's SQL.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from medallion.scaffold.command import new_dataset
from medallion.scaffold.sniff import RefusedFile

REPO = Path(__file__).resolve().parents[2]
ALLOWED_TAGS = {"ecommerce", "attendance", "sensors", "medallion", "lab", "byod"}
PARSE_SCRIPT = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
dags = {
    dag_id: {
        "tags": sorted(dag.tags),
        "doc_md": dag.doc_md or "",
        "tasks": {t.task_id: [t.owner, t.retries, bool(t.retry_exponential_backoff)]
                  for t in dag.tasks},
    }
    for dag_id, dag in bag.dags.items()
}
print(json.dumps({"errors": {str(k): v for k, v in bag.import_errors.items()}, "dags": dags}))
"""


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A project copy with the dbt project and GX config the scaffolder extends."""
    home = tmp_path / "home"
    (home / "dbt").mkdir(parents=True)
    (home / "dbt" / "dbt_project.yml").write_bytes((REPO / "dbt" / "dbt_project.yml").read_bytes())
    (home / "great_expectations").mkdir()
    config = REPO / "great_expectations" / "great_expectations.yml"
    (home / "great_expectations" / "great_expectations.yml").write_bytes(config.read_bytes())
    monkeypatch.setenv("MEDALLION_HOME", str(home))
    monkeypatch.setenv("MEDALLION_DATA_DIR", str(tmp_path / "data"))
    return home


def write_csv(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_second_table_joins_the_dataset(tmp_path, home):
    stores = write_csv(tmp_path, "Stores.csv", ["store_id,region", "s1,north", "s2,south"])
    visits = write_csv(
        tmp_path,
        "visits.csv",
        ["visit_id,store_id,visited_at", "1,s1,2026-11-01 10:00", "2,s2,2026-11-01 11:00"],
    )
    new_dataset("shops", stores, ds="2026-11-01")
    staging = home / "dbt" / "models" / "shops" / "staging"
    edited = staging / "stg_shops__stores.sql"
    edited.write_text("-- edited by hand\n", encoding="utf-8")

    new_dataset("shops", visits, ds="2026-11-01")

    assert edited.read_text(encoding="utf-8") == "-- edited by hand\n"
    sources = yaml.safe_load((staging / "_shops__sources.yml").read_text(encoding="utf-8"))
    assert [table["name"] for table in sources["sources"][0]["tables"]] == ["stores", "visits"]
    dag = (home / "airflow" / "dags" / "shops_daily.py").read_text(encoding="utf-8")
    assert 'TABLES = ["stores", "visits"]' in dag
    project_text = (home / "dbt" / "dbt_project.yml").read_text(encoding="utf-8")
    assert project_text.count("\n    shops:") == 1
    project = yaml.safe_load(project_text)
    assert project["models"]["medallion"]["shops"]["marts"]["+materialized"] == "table"
    assert (home / "data" / "landing").exists() is False  # landing is under the data dir
    assert (
        tmp_path / "data" / "landing" / "shops" / "visits" / "2026-11-01" / "visits.csv"
    ).exists()
    with pytest.raises(RefusedFile, match="exists already"):
        new_dataset("shops", visits, ds="2026-11-01")


def test_scaffolded_dag_follows_the_dag_policies(tmp_path, home):
    readings = write_csv(
        tmp_path, "readings.csv", ["id,at,level", "1,2026-11-01 10:00,3", "2,2026-11-01 11:00,4"]
    )
    new_dataset("tanks", readings, ds="2026-11-01")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW_CONN_")}
    env |= {"AIRFLOW_HOME": str(tmp_path / "airflow"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}

    parsed = subprocess.run(
        [sys.executable, "-c", PARSE_SCRIPT, str(home / "airflow" / "dags")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    result = json.loads(parsed.stdout.strip().splitlines()[-1])

    assert result["errors"] == {}
    dag = result["dags"]["tanks_daily"]
    assert set(dag["tags"]) <= ALLOWED_TAGS
    assert "# tanks_daily" in dag["doc_md"]
    assert set(dag["tasks"]) == {
        "bronze.ingest_readings",
        "bronze.validate_bronze_readings",
        "silver.refine_readings",
        "silver.validate_silver_readings",
        "gold.build_gold",
        "gold.validate_gold",
        "publish_run_summary",
    }
    for task_id, (owner, retries, backoff) in dag["tasks"].items():
        assert owner and retries >= 2 and backoff, task_id


def test_a_hand_written_dataset_is_never_overwritten(tmp_path, home):
    # attendance as the project ships it: contracts, a DAG with a gold gate, dbt YAML.
    for relative in ("data/contracts/attendance", "dbt/models/attendance"):
        shutil.copytree(REPO / relative, home / relative)
    dag = home / "airflow" / "dags" / "attendance_daily.py"
    dag.parent.mkdir(parents=True)
    dag.write_bytes((REPO / "airflow" / "dags" / "attendance_daily.py").read_bytes())
    before = {path: path.read_bytes() for path in home.rglob("*") if path.is_file()}
    visits = write_csv(tmp_path, "visits.csv", ["visit_id,student_id", "1,s1", "2,s2"])

    with pytest.raises(RefusedFile) as refusal:
        new_dataset("attendance", visits, ds="2026-11-01")

    message = str(refusal.value)
    assert "dataset 'attendance' exists and was not made by this command" in message
    assert "airflow/dags/attendance_daily.py" in message
    assert "data/contracts/attendance/records.yml" in message
    assert "dbt/models/attendance/staging/_attendance__sources.yml" in message
    after = {path: path.read_bytes() for path in home.rglob("*") if path.is_file()}
    assert after == before  # nothing written, nothing changed


def test_a_changed_contract_regenerates_staging_and_lint_catches_drift(tmp_path, home, capsys):
    from medallion.scaffold import regenerate

    visits = write_csv(
        tmp_path,
        "visits.csv",
        [
            "visit_nr,store_id,visited_at,spent",
            "1,s1,2026-11-01 10:00,3.50",
            "1,s2,2026-11-01 11:00,4.00",
        ],
    )
    new_dataset("shops", visits, ds="2026-11-01")
    staging = home / "dbt" / "models" / "shops" / "staging" / "stg_shops__visits.sql"
    mart = home / "dbt" / "models" / "shops" / "marts" / "agg_shops__visits_daily.sql"
    assert "partition by store_id\n" in staging.read_text(encoding="utf-8")
    assert "sum(spent) as total_spent" in mart.read_text(encoding="utf-8")
    assert regenerate.main(["--check"]) == 0

    # The user corrects the key, as the checklist asks, and makes the mart their own.
    contract = home / "data" / "contracts" / "shops" / "visits.yml"
    text = contract.read_text(encoding="utf-8")
    contract.write_text(
        text.replace('primary_key: ["store_id"]', 'primary_key: ["store_id", "visited_at"]'),
        encoding="utf-8",
    )
    own_mart = "select 1 as answer\n"
    mart.write_text(own_mart, encoding="utf-8")
    capsys.readouterr()

    assert regenerate.main(["--check"]) == 1
    stale = capsys.readouterr().out
    assert "stale: dbt/models/shops/staging/stg_shops__visits.sql" in stale
    assert "stale: great_expectations/expectations/silver/shops/visits.json" in stale
    assert "marts/agg_shops__visits_daily.sql" not in stale

    assert regenerate.main([]) == 0
    assert "partition by store_id, visited_at\n" in staging.read_text(encoding="utf-8")
    assert mart.read_text(encoding="utf-8") == own_mart  # without the mark: the user's
    assert regenerate.main(["--check"]) == 0


def test_a_hand_written_staging_model_left_behind_by_its_contract_is_reported(home):
    from medallion.scaffold.regenerate import staging_disagreements

    for relative in ("data/contracts/ecommerce", "dbt/models/ecommerce"):
        shutil.copytree(REPO / relative, home / relative)
    assert staging_disagreements() == []

    contract = home / "data" / "contracts" / "ecommerce" / "order_items.yml"
    text = contract.read_text(encoding="utf-8")
    assert "primary_key: [order_id, line_number]" in text
    contract.write_text(
        text.replace("primary_key: [order_id, line_number]", "primary_key: [order_id]"),
        encoding="utf-8",
    )

    assert staging_disagreements() == [
        "dbt/models/ecommerce/staging/stg_ecommerce__order_items.sql de-duplicates on "
        "['order_id', 'line_number'] by updated_at; data/contracts/ecommerce/order_items.yml "
        "says ['order_id'] by updated_at"
    ]
