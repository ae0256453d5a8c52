"""docs/teaching/airflow-2-to-3.md against the installed Airflow: every Airflow 3 import in
the table imports, every Airflow 3 command answers `--help`, every repository link points
at a file, and the Airflow 2 forms the table calls removed are really gone."""

from __future__ import annotations

import importlib
import re
import subprocess
import warnings

import pendulum
import pytest

from medallion.settings import load_settings

TABLE = load_settings().home / "docs" / "teaching" / "airflow-2-to-3.md"
IMPORT = re.compile(r"from (airflow[\w.]*) import ([\w, ]+)")
# Airflow 2 forms the table says no longer exist in Airflow 3.
REMOVED_IMPORTS = [
    "from airflow.operators.dummy import DummyOperator",
    "from airflow.operators.subdag import SubDagOperator",
    "from airflow.utils.dates import days_ago",
]
REMOVED_COMMANDS = ["airflow webserver", "airflow db init", "airflow dags backfill"]


def table_rows() -> list[list[str]]:
    """The cells of every table row below a header, split on unescaped pipes."""
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("|") and not line.startswith(("|---", "| Airflow 2")):
            cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
            rows.append([cell.strip().replace("\\|", "|") for cell in cells])
    return rows


def airflow3_code_spans() -> list[str]:
    """The `code spans` of the middle column: the Airflow 3 forms."""
    return [span for row in table_rows() for span in re.findall(r"`([^`]+)`", row[1])]


def airflow3_imports() -> list[tuple[str, str]]:
    pairs = []
    for span in airflow3_code_spans():
        for module, names in IMPORT.findall(span):
            pairs += [(module, name.strip()) for name in names.split(",") if name.strip()]
    return pairs


def airflow3_commands() -> list[list[str]]:
    """`airflow ...` spans of the middle column, cut before the first option or placeholder."""
    commands = []
    for span in airflow3_code_spans():
        if span.startswith("airflow "):
            words = []
            for word in span.split():
                if word.startswith(("-", "<", "[")):
                    break
                words.append(word)
            if words not in commands:
                commands.append(words)
    return commands


def test_the_table_has_every_topic_of_course_material():
    text = TABLE.read_text(encoding="utf-8")
    for topic in [
        "schedule_interval", "airflow.operators.bash", "airflow.operators.python",
        "DummyOperator", "EmptyOperator", "airflow.decorators", "execution_date",
        "next_execution_date", "prev_ds", "provide_context", "days_ago", "sla=",
        "sla_miss_callback", "airflow webserver", "airflow db init", "EmailOperator",
        "SubDagOperator", "Variable.get", "catchup", "airflow dags backfill", "/api/v1",
        "TriggerDagRunOperator", "pickling",
    ]:  # fmt: skip
        assert topic in text, f"the Airflow 2 → 3 table lost its row on {topic}"
    assert {
        ("airflow.sdk", "dag"),
        ("airflow.sdk", "TaskGroup"),
        ("airflow.providers.standard.operators.bash", "BashOperator"),
        ("airflow.providers.standard.operators.python", "PythonOperator"),
        ("airflow.providers.standard.operators.empty", "EmptyOperator"),
        ("airflow.providers.standard.operators.trigger_dagrun", "TriggerDagRunOperator"),
        ("airflow.providers.smtp.operators.smtp", "EmailOperator"),
        ("airflow.sdk", "DeadlineAlert"),
    } <= set(airflow3_imports())
    assert {("airflow", "api-server"), ("airflow", "db", "migrate")} <= {
        tuple(command) for command in airflow3_commands()
    }


@pytest.mark.parametrize("module, name", airflow3_imports(), ids=lambda value: str(value))
def test_every_airflow3_import_of_the_table_imports_without_deprecation(module, name):
    # Airflow routes warnings into its logging when first imported: import it before
    # recording, or the recorder is replaced and sees nothing.
    importlib.import_module("airflow.sdk")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        imported = importlib.import_module(module)
        assert hasattr(imported, name), f"`from {module} import {name}` fails in this venv"
    deprecated = [
        str(warning.message)
        for warning in caught
        if name in str(warning.message) and "deprecated" in str(warning.message).lower()
    ]
    assert not deprecated, f"`from {module} import {name}` is deprecated: {deprecated}"


@pytest.mark.parametrize("command", airflow3_commands(), ids=" ".join)
def test_every_airflow3_command_of_the_table_exists(command):
    completed = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, f"`{' '.join(command)} --help` failed: {completed.stderr}"


@pytest.mark.parametrize("command", REMOVED_COMMANDS)
def test_airflow2_commands_the_table_calls_removed_are_gone(command):
    assert f"`{command}" in TABLE.read_text(encoding="utf-8")
    completed = subprocess.run(
        [*command.split(), "--help"], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode != 0


@pytest.mark.parametrize("statement", REMOVED_IMPORTS)
def test_airflow2_imports_the_table_calls_removed_are_gone(statement):
    assert statement in TABLE.read_text(encoding="utf-8")
    module, name = IMPORT.fullmatch(statement).groups()
    parent = module.rsplit(".", 1)[0]
    # The package around the removed module must exist: a misspelt path fails here
    # instead of passing as "gone".
    importlib.import_module(parent)
    try:
        imported = importlib.import_module(module)
    except ModuleNotFoundError as error:
        assert error.name == module, f"{statement}: {error}"
        return
    assert not hasattr(imported, name), f"{statement} still works: fix the table"


def test_airflow2_arguments_the_table_calls_errors_are_errors():
    from airflow.providers.standard.operators.python import PythonOperator
    from airflow.sdk import DAG

    start = pendulum.datetime(2026, 11, 1, tz="UTC")
    # Airflow 2 code on purpose: ruff's AIR3 rules (and --fix) would rewrite it.
    with pytest.raises(TypeError, match="schedule_interval"):
        DAG(dag_id="old_schedule", start_date=start, schedule_interval="@daily")  # noqa: AIR301
    with DAG(dag_id="old_context", start_date=start, schedule=None):
        with pytest.raises(TypeError, match="provide_context"):
            PythonOperator(task_id="old", python_callable=print, provide_context=True)  # noqa: AIR301


def test_airflow3_defaults_the_table_states():
    from airflow.configuration import conf

    assert conf.getboolean("scheduler", "catchup_by_default") is False
    assert not conf.has_option("core", "enable_xcom_pickling")
    assert conf.getint("dag_processor", "min_file_process_interval") == 30


def test_every_repository_link_points_at_a_file():
    links = re.findall(r"\]\((\.\./[^)#]+)", TABLE.read_text(encoding="utf-8"))
    assert links
    missing = [link for link in links if not (TABLE.parent / link).resolve().exists()]
    assert not missing, f"links to files that do not exist: {missing}"
