"""What Airflow itself sees in a DAG file: parsed by a real DagBag in a fresh interpreter.

Lab 3's checks ask Airflow, not the source text: a schedule written in an unusual but
valid way passes, and a file that looks right but does not import fails, exactly as the
dag-processor would. Parsing runs without any Airflow connection defined, as
tests/dags/test_dag_integrity.py does, so a DAG that looks up a connection while being
parsed fails here too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

PARSE_SCRIPT = """
import json, sys
from airflow.dag_processing.dagbag import DagBag

def names(callbacks):
    if callbacks is None:
        return []
    if callable(callbacks):
        callbacks = [callbacks]
    return [f"{c.__module__}.{c.__qualname__}" for c in callbacks]

bag = DagBag(dag_folder=sys.argv[1])
dag = bag.dags.get(sys.argv[2])
facts = {"errors": {path: str(error) for path, error in bag.import_errors.items()}, "dag": None}
if dag is not None:
    timetable = dag.timetable
    facts["dag"] = {
        "timetable": type(timetable).__name__,
        "expression": getattr(timetable, "expression", None),
        "timezone": str(getattr(timetable, "timezone", "")),
        "on_failure": names(dag.on_failure_callback),
        "on_success": names(dag.on_success_callback),
        "tasks": {
            task.task_id: {
                "retries": task.retries,
                "backoff": bool(task.retry_exponential_backoff),
                "max_retry_delay": (
                    task.max_retry_delay.total_seconds() if task.max_retry_delay else None
                ),
                "on_failure": names(task.on_failure_callback),
                "on_success": names(task.on_success_callback),
            }
            for task in dag.tasks
        },
    }
print(json.dumps(facts))
"""


@cache
def parse_dag(dag_file: Path, dag_id: str) -> dict:
    """{"errors": {file: message}, "dag": {...} or None} for one DAG file.

    Cached: the lab's checks ask several questions of the same parse (it takes seconds).
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW_CONN_")}
    env["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    result = subprocess.run(
        [sys.executable, "-c", PARSE_SCRIPT, str(dag_file), dag_id],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"parsing {dag_file} crashed: {result.stderr.strip()[-800:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])
