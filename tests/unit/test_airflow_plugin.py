"""The scheduler's preload (medallion/airflow_plugin.py): only in the scheduler, only
third-party libraries, and registered where Airflow looks for plugins."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from medallion.airflow_plugin import PRELOADED

PROBE = """
import sys
sys.argv = ["airflow", sys.argv[1]]
from medallion.airflow_plugin import PRELOADED, PreloadForTasks
PreloadForTasks().on_starting(component=None)
print("preloaded:" + ",".join(name for name in PRELOADED if name in sys.modules))
"""


def preloaded_in(command: str, **env: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, command],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    [line] = [line for line in result.stdout.splitlines() if line.startswith("preloaded:")]
    return [name for name in line.removeprefix("preloaded:").split(",") if name]


def test_the_scheduler_imports_the_libraries_its_tasks_need():
    assert preloaded_in("scheduler") == list(PRELOADED)


@pytest.mark.parametrize("command", ["api-server", "dag-processor", "dags"])
def test_other_airflow_processes_are_left_alone(command):
    assert preloaded_in(command) == []


def test_medallion_preload_off_turns_it_off():
    assert preloaded_in("scheduler", MEDALLION_PRELOAD="off") == []


def test_no_module_of_the_project_is_preloaded():
    """Preloaded project code would keep running a student's old version until a restart."""
    ours = ("medallion", "spark", "monitoring")
    assert not [name for name in PRELOADED if name.split(".")[0] in ours]


def test_airflow_finds_the_plugin():
    found = {entry.name: entry.value for entry in entry_points(group="airflow.plugins")}
    assert found.get("medallion_preload") == "medallion.airflow_plugin:MedallionPreload"
