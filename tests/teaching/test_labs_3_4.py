"""`make check-lab N=3` and `N=4`: every milestone passes where the work is done, and each
unfinished state fails with the message that names the next step.

The finished labs are also run end to end, command by command, by
test_lab_documents.py; here the states in between are set up directly on the shared
two-day run of ecommerce_daily (`ecommerce_run`), whose Airflow DB holds two successful
runs of the solution DAG and whose Pushgateway holds their metrics.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from support.airflow import ECOMMERCE_DATES
from support.lab_documents import copy_repository
from support.lake_checks import layer_rows

from medallion.contracts import list_tables, load_contract
from medallion.errors import DataError
from medallion.faults import deliveries
from medallion.faults.catalog import SCENARIOS
from medallion.file_screening import screen_delivery
from medallion.lake import landing_dir
from medallion.settings import load_settings
from medallion.teaching.labs.base import LabContext, run_milestones
from medallion.teaching.labs.lab4 import LAB as LAB4
from medallion.teaching.labs.lake_evidence import gold_disagrees_with_silver, unsettled

pytestmark = pytest.mark.integration

HOME = load_settings().home
BROKEN = ECOMMERCE_DATES[-1]


def check_lab(number: int, home: Path, run, **env: str) -> subprocess.CompletedProcess:
    """`make check-lab N=<number>` as a participant runs it, against `run`'s Airflow and data."""
    environment = {
        **os.environ,
        "MEDALLION_HOME": str(home),
        "PYTHONPATH": str(home),
        "MEDALLION_DATA_DIR": str(run.data_dir),
        "AIRFLOW_HOME": str(run.airflow_home_as_set_up),
        "MEDALLION_PUSHGATEWAY_URL": "",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "medallion.teaching.labs", "check", str(number)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
        cwd=home,
    )


def milestone_lines(output: str) -> dict[int, str]:
    """{milestone number: its printed line}."""
    found = (re.match(r"\[\w+\]\s+milestone (\d+):", line) for line in output.splitlines())
    lines = output.splitlines()
    return {int(match.group(1)): lines[i] for i, match in enumerate(found) if match}


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory) -> Path:
    """A scratch copy of the repository: lab-start rewrites files in it."""
    return copy_repository(HOME, tmp_path_factory.mktemp("labs") / "repo")


def test_lab3_passes_every_milestone_on_the_solution(ecommerce_run, monitoring_stack):
    result = check_lab(
        3, HOME, ecommerce_run, MEDALLION_PUSHGATEWAY_URL=monitoring_stack.url("pushgateway")
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = milestone_lines(result.stdout)
    assert sorted(lines) == list(range(1, 8))
    assert all(line.startswith("[ok]") for line in lines.values()), result.stdout
    assert f"the manual run of {ECOMMERCE_DATES[-1]} succeeded" in lines[5]
    assert "medallion_run_success = 1" in lines[7]
    assert "7 of 7 milestones pass." in result.stdout


def test_lab3_starter_fails_with_what_to_write(ecommerce_run, repo_copy):
    env = {**os.environ, "MEDALLION_HOME": str(repo_copy), "PYTHONPATH": str(repo_copy)}
    started = subprocess.run(
        [sys.executable, "-m", "medallion.teaching.labs", "start", "3"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "starter: airflow/dags/ecommerce_daily.py" in started.stdout
    result = check_lab(3, repo_copy, ecommerce_run)
    assert result.returncode == 1
    lines = milestone_lines(result.stdout)
    assert lines[1].startswith("[ok]"), lines[1]  # the starter still parses and runs
    assert "schedule=None" in lines[2] and "CronDataIntervalTimetable(" in lines[2]
    assert "23 of 23 tasks have fewer than 3 retries" in lines[3]
    assert '"retry_exponential_backoff": True' in lines[3]
    assert "lack on_failure notify_task_failure" in lines[4] and "**DAG_CALLBACKS" in lines[4]
    # The runs in Airflow's DB were of the solution, before the file changed.
    assert "before airflow/dags/ecommerce_daily.py was last changed" in lines[5]
    assert f"`make run DATES={ECOMMERCE_DATES[-1]}`" in lines[5]
    assert all(lines[n].startswith("[fail]") for n in (2, 3, 4, 5, 6, 7)), result.stdout
    assert "1 of 7 milestones pass; keep going." in result.stdout


def test_lab3_a_plain_cron_string_or_a_syntax_error_is_named(ecommerce_run, repo_copy):
    dag_file = repo_copy / "airflow" / "dags" / "ecommerce_daily.py"
    solution = (HOME / "airflow" / "dags" / "ecommerce_daily.py").read_text(encoding="utf-8")
    cron = 'schedule=CronDataIntervalTimetable("0 6 * * *", timezone="UTC")'
    dag_file.write_text(solution.replace(cron, 'schedule="0 6 * * *"'), encoding="utf-8")
    lines = milestone_lines(check_lab(3, repo_copy, ecommerce_run).stdout)
    assert "fires daily, but as a CronTriggerTimetable" in lines[2], lines[2]
    assert lines[3].startswith("[ok]") and lines[4].startswith("[ok]")

    dag_file.write_text(solution.replace("@dag(", "@dag((", 1), encoding="utf-8")
    lines = milestone_lines(check_lab(3, repo_copy, ecommerce_run).stdout)
    assert "Airflow cannot import airflow/dags/ecommerce_daily.py" in lines[1], lines[1]
    assert "SyntaxError" in lines[1] or "never closed" in lines[1], lines[1]
    assert "Airflow cannot load ecommerce_daily (see milestone 1)" in lines[2]


def test_lab4_on_a_clean_run_names_the_command_of_each_scenario(ecommerce_run):
    result = check_lab(4, HOME, ecommerce_run)
    assert result.returncode == 1
    lines = milestone_lines(result.stdout)
    expected = {
        1: "make break SCENARIO=corrupt-file",
        3: "make break SCENARIO=duplicate-delivery",
        5: "make break SCENARIO=network-timeout",
    }
    for number, command in expected.items():
        scenario = "ABC"[number // 2]
        assert lines[number].startswith("[fail]"), lines[number]
        assert f"scenario {scenario} not run yet" in lines[number], lines[number]
        assert command in lines[number], lines[number]
    assert "0 of 6 milestones pass" in result.stdout


@pytest.fixture
def lake_copy(ecommerce_run, tmp_path, monkeypatch) -> Path:
    data_dir = tmp_path / "data"
    shutil.copytree(ecommerce_run.data_dir, data_dir)
    monkeypatch.setenv("MEDALLION_DATA_DIR", str(data_dir))
    monkeypatch.setenv("AIRFLOW_HOME", str(ecommerce_run.airflow_home_as_set_up))
    return data_dir


def test_lab4_broken_but_not_yet_recovered(lake_copy):
    for inject in SCENARIOS["corrupt-file"].variants.values():
        inject(BROKEN)
    for table in list_tables("ecommerce"):
        contract = load_contract("ecommerce", table)
        files = sorted(landing_dir("ecommerce", contract.source_folder, BROKEN).iterdir())
        try:
            screen_delivery(contract, files, BROKEN)  # what the ingest task does first
        except DataError:
            pass  # the unreadable files were moved to the file quarantine
    deliveries.redeliver_same_file(BROKEN)

    results = run_milestones(LAB4, LabContext(HOME, lake_copy))
    assert results[0].status == "ok", results[0]
    assert "4 unreadable file(s) moved to" in results[0].found, results[0].found
    assert results[1].status == "fail"
    assert f"{BROKEN} has not run successfully since its files were quarantined" in results[1].found
    assert results[1].fix.endswith(f"`make run DATES={BROKEN}`")
    assert results[2].status == "fail"
    assert "orders-part-00000-redelivered.csv arrived in landing" in results[2].found
    assert f"no run of {BROKEN} has succeeded since" in results[2].found
    assert results[2].fix == f"make run DATES={BROKEN}"


def test_lake_evidence_catches_gold_that_disagrees_with_silver(lake_copy):
    assert gold_disagrees_with_silver() == []
    assert unsettled(BROKEN) == []
    with duckdb.connect(str(lake_copy / "warehouse" / "ecommerce.duckdb")) as con:
        con.execute(
            "update fct_orders set amount = amount + 1 "
            "where order_id = (select min(order_id) from fct_orders)"
        )
    [problem] = gold_disagrees_with_silver()
    assert "fct_orders has 1 rows that silver's current orders lack, and lacks 1" in problem
    # A record in landing that never reached bronze.
    (lake_copy / "landing" / "ecommerce" / "orders" / BROKEN / "extra.csv").write_text(
        "order_id,customer_id,order_ts,status,payment_method,amount,updated_at\n"
        "O-NEW,C1,2026-11-02 10:00:00,paid,card,1.00,2026-11-02 10:00:00\n",
        encoding="utf-8",
    )
    bronze = layer_rows(lake_copy, "bronze", "orders", BROKEN)
    assert unsettled(BROKEN) == [f"orders: {bronze + 1:,} landing records but {bronze:,} in bronze"]
