"""The user's path, timed: one DAG run triggered under Airflow's real scheduler.

`make run` uses `airflow dags test`: every task in one process, so Spark and Great
Expectations are loaded once. A run triggered in the UI goes through the scheduler and
the LocalExecutor, where every task is a process of its own. This measures that path:

    python -m medallion.bench.scheduler_path --engine warm      # spark_default = the engine
    python -m medallion.bench.scheduler_path --engine classic   # a JVM inside each task
    ... --no-preload     # without the scheduler's preload of GX and pandas (airflow_plugin)

It generates e-commerce deliveries for the last two days into a scratch folder, starts
`airflow standalone` there (scheduler, dag-processor, api-server, LocalExecutor),
unpauses ecommerce_daily as a user does in the UI, so that the scheduler runs the latest
interval, waits for that run to end, and prints one JSON document: the wall time from
unpausing to the end of the run, and each task's own duration from the metadata DB.
The warm engine must be running (`make engine`) for `--engine warm`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

from medallion.engine import CLASSIC_LOCAL_CONNECTION, DEFAULT_PORT
from medallion.settings import load_settings

DAG_ID = "ecommerce_daily"
RUN_TYPE = "scheduled"
RUN_TIMEOUT_SECONDS = 3600


def environment(root: Path, engine: str, preload: bool) -> dict[str, str]:
    port = int(os.environ.get("MEDALLION_ENGINE_PORT", DEFAULT_PORT))
    warm = {"conn_type": "spark_connect", "host": "sc://127.0.0.1", "port": port}
    api_port = _free_port()
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(root / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(load_settings().home / "airflow" / "dags"),
        "MEDALLION_DATA_DIR": str(root / "data"),
        "MEDALLION_PUSHGATEWAY_URL": "",
        "MEDALLION_PRELOAD": "on" if preload else "off",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        # Tasks report to the API server's execution API: on the port chosen here.
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW_CONN_SPARK_DEFAULT": json.dumps(
            warm if engine == "warm" else CLASSIC_LOCAL_CONNECTION
        ),
    }
    for flag in ("SPARK_CONNECT_MODE_ENABLED", "SPARK_REMOTE"):
        env.pop(flag, None)
    return env


def run_once(root: Path, engine: str, orders_per_day: int, preload: bool) -> dict:
    from medallion.generate.ecommerce import generate_ecommerce

    env = environment(root, engine, preload)
    # The latest interval's delivery date is yesterday or the day before, depending on
    # the hour (the DAG runs at 06:00 UTC for the day before): deliver both.
    generate_ecommerce(
        out_dir=root / "data" / "landing" / "ecommerce",
        start=date.today() - timedelta(days=2),
        days=2,
        orders_per_day=orders_per_day,
        seed=7,
    )
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True)
    database = root / "airflow" / "airflow.db"
    with (root / "standalone.log").open("w") as log:
        standalone = subprocess.Popen(
            [airflow, "standalone"], env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        _wait_for_dag(database)
        triggered = time.monotonic()
        subprocess.run(
            [airflow, "dags", "unpause", DAG_ID], env=env, check=True, capture_output=True
        )
        state, run_id = _wait_for_run(database)
        wall = time.monotonic() - triggered
    finally:
        os.killpg(standalone.pid, signal.SIGTERM)
        standalone.wait(60)
    tasks = _task_durations(database, run_id)
    return {
        "engine": engine,
        "preload": preload,
        "orders_per_day": orders_per_day,
        "run_id": run_id,
        "state": state,
        "trigger_to_end_seconds": round(wall, 1),
        "task_seconds_total": round(sum(tasks.values()), 1),
        "tasks": tasks,
    }


def _wait_for_dag(database: Path, timeout: float = 600) -> None:
    """Until the dag-processor has written the DAG to the metadata DB."""
    _poll(database, "select 1 from dag where dag_id = ?", [DAG_ID], timeout, "DAG parsed")


def _wait_for_run(database: Path) -> tuple[str, str]:
    query = (
        "select state || ' ' || run_id from dag_run where dag_id = ? and run_type = ? "
        "and state in ('success', 'failed')"
    )
    found = _poll(database, query, [DAG_ID, RUN_TYPE], RUN_TIMEOUT_SECONDS, "run finished")
    state, run_id = found.split(" ", 1)
    return state, run_id


def _poll(database: Path, query: str, params: list, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if database.exists():
            try:
                with closing(sqlite3.connect(database, timeout=10)) as db:
                    row = db.execute(query, params).fetchone()
            except sqlite3.OperationalError:  # the table does not exist yet, or is locked
                row = None
            if row:
                return row[0]
        time.sleep(2)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s")


def _task_durations(database: Path, run_id: str) -> dict[str, float]:
    query = "select task_id, duration from task_instance where run_id = ? order by start_date"
    with closing(sqlite3.connect(database)) as db:
        return {task: round(seconds or 0.0, 2) for task, seconds in db.execute(query, [run_id])}


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["warm", "classic"], default="warm")
    parser.add_argument("--orders-per-day", type=int, default=300)
    parser.add_argument("--no-preload", action="store_true", help="MEDALLION_PRELOAD=off")
    parser.add_argument(
        "--work-dir", type=Path, default=load_settings().home / ".bench" / "scheduler-path",
        help="scratch folder, replaced at every run (kept after it: logs, metadata DB)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    root = args.work_dir / f"{args.engine}{'-no-preload' if args.no_preload else ''}"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    result = run_once(root, args.engine, args.orders_per_day, preload=not args.no_preload)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
