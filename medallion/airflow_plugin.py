"""An Airflow plugin: the scheduler loads the heavy libraries once, for every task.

Under the LocalExecutor (`make airflow`, the UI) the scheduler forks its worker
processes, and each worker forks a process per task. Whatever the scheduler has imported
before it starts its workers, every task has without importing it again. A quality gate
imports Great Expectations and pandas (3-5 s on a quiet machine, far more on a busy one);
a Spark task the Spark Connect client. Preloaded here, that is paid once, when the
scheduler starts.

Only third-party libraries are preloaded, never the project's own modules, so an edit to
medallion/, spark/ or monitoring/ takes effect at the next task without a restart. Other
Airflow processes (the API server, `airflow dags test`, the CLI) are left alone.

`MEDALLION_PRELOAD=off` in the scheduler's environment turns it off (to measure what it
saves, or to rule it out when something behaves oddly).

A second listener, `FreshLineagePerTask`, empties the hook-lineage collection when a task
starts, so each task's OpenLineage events name only what that task read and wrote
(medallion/lineage.py).

Registered in pyproject.toml under `[project.entry-points."airflow.plugins"]`; `airflow
plugins` lists it.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import time

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin

log = logging.getLogger(__name__)

PRELOADED = (
    "pandas",
    "pyarrow.parquet",
    "great_expectations",
    "great_expectations.expectations",
    "pyspark.sql.connect.session",
)


def is_scheduler() -> bool:
    """True in the process of `airflow scheduler` (also started by `airflow standalone`)."""
    return sys.argv[1:2] == ["scheduler"]


def wanted() -> bool:
    return os.environ.get("MEDALLION_PRELOAD", "on") != "off"


class PreloadForTasks:
    """A lifecycle listener: when the scheduler's job starts, import PRELOADED."""

    done = False  # a task process forked from the scheduler inherits True: no second pass

    @hookimpl
    def on_starting(self, component) -> None:
        if PreloadForTasks.done or not is_scheduler() or not wanted():
            return
        PreloadForTasks.done = True
        started = time.perf_counter()
        for module in PRELOADED:
            importlib.import_module(module)
        log.info(
            "medallion: preloaded %s for the tasks in %.1f s",
            ", ".join(PRELOADED),
            time.perf_counter() - started,
        )


class FreshLineagePerTask:
    """A task listener: every task starts with an empty hook-lineage collection.

    Airflow keeps one hook-lineage collector per process and never empties it. Under a
    real executor each task is a process of its own; under `airflow dags test` (make run,
    the tests) all tasks share one, and each task's OpenLineage events would repeat the
    datasets of the tasks before it (medallion/lineage.py reports them).
    """

    @hookimpl
    def on_task_instance_running(self, previous_state, task_instance) -> None:
        from airflow.sdk.lineage import get_hook_lineage_collector

        get_hook_lineage_collector.cache_clear()


class MedallionPreload(AirflowPlugin):
    name = "medallion_preload"
    listeners = [PreloadForTasks(), FreshLineagePerTask()]
