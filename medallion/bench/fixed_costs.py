"""Costs that do not grow with the data: parsing DAG files, dbt per model, Airflow itself.

- parse_costs: each DAG file parsed in-process (medallion.bench.parse_probe), and
  `python <dag file>` against a bare `python -c "import airflow.sdk"`.
- dbt_costs: `dbt parse`, `dbt run` of one model and of every e-commerce model, each a
  fresh process; the marginal cost of a model = (all - one) / (models - 1), once in wall
  time (the models' SQL included) and once in dbt's own time (wall less the SQL's time).
- airflow_overhead: the whole DAG on a tiny delivery through `airflow dags test`, with
  every task's duration from the metadata DB; what is not task time is Airflow's.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from medallion.bench.measure import child_environment, measure
from medallion.bench.workspace import SCALES, delivery_dates
from medallion.engine import CLASSIC_LOCAL_CONNECTION
from medallion.settings import load_settings

REPEATS = 3
DAG_ID = "ecommerce_daily"


def parse_costs(workspace, home: Path, args) -> dict:
    env = _airflow_environment(workspace, home, workspace.root / "runs" / "parse")
    dag_files = sorted((load_settings().home / "airflow" / "dags").glob("*.py"))
    log_dir = workspace.logs("parse")
    files = {}
    for path in dag_files:
        probe = [sys.executable, "-m", "medallion.bench.parse_probe", str(path)]
        files[path.name] = {
            **measure(f"probe_{path.stem}", probe, env, log_dir).answer,
            "python_file_seconds": _best_of(
                f"run_{path.stem}", [sys.executable, str(path)], env, log_dir
            ),
        }
    bare = [sys.executable, "-c", "import airflow.sdk"]
    return {"files": files, "import_airflow_sdk_seconds": _best_of("bare", bare, env, log_dir)}


def _best_of(name: str, command: list[str], env: dict, log_dir: Path) -> float:
    """The fastest of a few runs: the least this command costs on this machine."""
    return min(measure(name, command, env, log_dir).seconds for _ in range(REPEATS))


def dbt_costs(workspace, home: Path, args) -> dict:
    """Needs the silver of the main run (runs/<scale>-<grouping>)."""
    data_dir = workspace.root / "runs" / f"{args.scale}-{args.grouping}"
    env = child_environment(home, data_dir)
    project = str(home / "dbt")
    base = [
        "--project-dir",
        project,
        "--profiles-dir",
        project,
        "--vars",
        '{"dataset": "ecommerce"}',
    ]
    dbt = str(Path(sys.executable).with_name("dbt"))
    log_dir = workspace.logs("dbt")
    run_results = home / "dbt" / "target" / "run_results.json"
    commands = {
        "parse": ["parse"],
        "one_model": ["run", "--select", "stg_ecommerce__products"],
        "all_models": ["run", "--select", "path:models/ecommerce"],
    }
    seconds, executions = {}, {}
    for name, command in commands.items():
        seconds[name] = measure(name, [dbt, *command, *base], env, log_dir).seconds
        if command[0] == "run":
            results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
            executions[name] = {r["unique_id"]: round(r["execution_time"], 3) for r in results}
    models = executions["all_models"]
    # dbt's own cost of a run: its wall time less the time the models' SQL ran.
    overhead = {name: seconds[name] - sum(executions[name].values()) for name in executions}
    return {
        "seconds": seconds,
        "models": len(models),
        "marginal_seconds_per_model": round(
            (seconds["all_models"] - seconds["one_model"]) / (len(models) - 1), 3
        ),
        "overhead_seconds": {name: round(value, 3) for name, value in overhead.items()},
        "marginal_overhead_seconds_per_model": round(
            (overhead["all_models"] - overhead["one_model"]) / (len(models) - 1), 3
        ),
        "model_execution_seconds": models,
    }


def airflow_overhead(workspace, home: Path, args) -> dict:
    landing = workspace.landing(SCALES["tiny"], 1, args.seed)
    data_dir = workspace.new_run("airflow-tiny", landing)
    env = _airflow_environment(workspace, home, data_dir)
    airflow_home = Path(env["AIRFLOW_HOME"])
    log_dir = workspace.logs("airflow")
    migrate_seconds = _fresh_metadata_db(airflow_home, env, log_dir)
    [ds] = delivery_dates(1)
    airflow = str(Path(sys.executable).with_name("airflow"))
    run = measure("dags_test", [airflow, "dags", "test", DAG_ID, ds], env, log_dir)
    tasks = _task_durations(airflow_home / "airflow.db")
    task_seconds = sum(tasks.values())
    return {
        "ds": ds,
        "db_migrate_seconds": migrate_seconds,
        "dags_test_seconds": run.seconds,
        "peak_rss_mb": run.peak_rss_mb,
        "task_seconds_total": round(task_seconds, 2),
        "outside_tasks_seconds": round(run.seconds - task_seconds, 2),
        "tasks": tasks,
    }


def _fresh_metadata_db(airflow_home: Path, env: dict, log_dir: Path) -> float | None:
    """A migrated, empty metadata DB: migrated once, then copied from that pristine file."""
    pristine = airflow_home / "airflow.db.pristine"
    seconds = None
    if not pristine.exists():
        airflow_home.mkdir(parents=True, exist_ok=True)
        airflow = str(Path(sys.executable).with_name("airflow"))
        seconds = measure("db_migrate", [airflow, "db", "migrate"], env, log_dir).seconds
        shutil.copy(airflow_home / "airflow.db", pristine)
    shutil.copy(pristine, airflow_home / "airflow.db")
    return seconds


def _task_durations(database: Path) -> dict[str, float]:
    query = (
        "select task_id, duration from task_instance where dag_id = ? and duration is not null "
        "order by start_date"
    )
    with closing(sqlite3.connect(database)) as connection:
        return {task: round(seconds, 2) for task, seconds in connection.execute(query, [DAG_ID])}


def _airflow_environment(workspace, home: Path, data_dir: Path) -> dict[str, str]:
    """An isolated Airflow home under the work dir, the repository's DAGs, local Spark."""
    env = child_environment(home, data_dir)
    env.update(
        {
            "AIRFLOW_HOME": str(workspace.root / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(load_settings().home / "airflow" / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        }
    )
    # Outside make (no engine started): a JVM inside each task.
    env.setdefault("AIRFLOW_CONN_SPARK_DEFAULT", json.dumps(CLASSIC_LOCAL_CONNECTION))
    for flag in ("SPARK_CONNECT_MODE_ENABLED", "SPARK_REMOTE"):
        env.pop(flag, None)
    return env
