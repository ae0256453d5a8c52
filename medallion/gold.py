"""Build the gold layer: run the dbt project in `dbt/` in-process and report what it built.

The dbt project holds one folder of models per dataset (`dbt/models/<dataset>/`). One
`dbt build --select path:models/<dataset>` reads the published silver parquet of the
dataset, builds its staging views and mart tables in a DuckDB warehouse, runs their unit
tests and data tests in DAG order, and exports each mart to parquet. The Airflow task
calls `build_gold(dataset)`; to run dbt by hand, see dbt/README.md.

Write - audit - publish: `build_gold` builds a *candidate*, which readers never see:
`<data>/warehouse/_candidates/<dataset>.duckdb` and `<data>/lake/gold/_candidates/<dataset>/`
(dbt's var `candidate: true` points profiles.yml and the export macro there). The gold
gate audits it and medallion.publication swaps it in for `<data>/warehouse/<dataset>.duckdb`
and `<data>/lake/gold/<dataset>/`. A failed build or gate leaves the published gold as it was.

`build_gold()` returns a summary of the run, and raises GoldBuildError naming every
failing model or test when anything fails:

    {"dataset": "ecommerce", "warehouse": "/…/warehouse/_candidates/ecommerce.duckdb",
     "nodes": {"stg_ecommerce__orders": "success", "unique_fct_orders_order_id": "pass", …},
     "models": {"passed": 11, "failed": 0, "skipped": 0},
     "tests": {"passed": 74, "failed": 0, "skipped": 0, "warned": 4},
     "mart_rows": {"agg_daily_sales": 412, "fct_orders": 1500, …}, "seconds": 9.8}
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from medallion.contracts import list_tables
from medallion.errors import DataError
from medallion.lake import (
    UncommittedPartitionError,
    assert_all_committed,
    gold_dir,
    table_dir,
    warehouse_path,
)
from medallion.settings import Settings, load_settings

log = logging.getLogger(__name__)

MARTS_FOLDER = "marts"
PASSED = {"success", "pass"}  # a model built / a test passed
FAILED = {"error", "fail"}  # "skipped" means an upstream node failed
ACCEPTED = PASSED | {"warn"}  # a test with severity "warn" reports but does not stop gold


class GoldBuildError(DataError):
    """The gold build failed; the message lists every failing node and why.

    A data error: the same silver and the same models fail the same way on a retry.

    `summary` holds the node statuses and counts of the failed run (empty when dbt could
    not start), for callers that report metrics about failed runs too.
    """

    def __init__(self, message: str, summary: dict | None = None):
        super().__init__(message)
        self.summary = summary or {}


class WarehouseLockedError(RuntimeError):
    """Another gold build of the dataset is running. Transient: the task is retried."""


def dbt_run_dirs(settings: Settings, dataset: str) -> tuple[Path, Path]:
    """dbt's target and log folders of a dataset: dbt/target/<dataset>, dbt/logs/<dataset>.

    One pair per dataset, so two datasets' builds (the 06:00 daily run beside an hourly
    sensors run) never write the same manifest or log; each keeps its own partial-parse
    state, so both stay fast.
    """
    project_dir = settings.dbt_project_dir
    return project_dir / "target" / dataset, project_dir / "logs" / dataset


def build_gold(dataset: str) -> dict:
    """Run `dbt build` for the dataset and return the summary described in the module doc."""
    settings = load_settings()
    if not (settings.dbt_project_dir / "models" / dataset).is_dir():
        raise ValueError(
            f"the dbt project has no models for dataset {dataset!r}: expected the folder "
            f"{settings.dbt_project_dir / 'models' / dataset}"
        )
    _check_silver_is_committed(dataset)
    started = time.monotonic()
    with _one_build_at_a_time(dataset):
        warehouse = _fresh_candidate(dataset)
        run_results = _invoke_dbt_build(settings, dataset)
    not_passed = [result for result in run_results if str(result.status) not in ACCEPTED]
    if not_passed:
        from medallion.publication import kept_back

        report = _failure_report(not_passed, dbt_run_dirs(settings, dataset)[1])
        report += "\n" + kept_back("gold", dataset, "marts", "")
        raise GoldBuildError(report, summary=_summarise(run_results))
    marts = [result.node.name for result in run_results if _is_mart(result.node)]
    summary = {
        "dataset": dataset,
        "warehouse": str(warehouse),
        **_summarise(run_results),
        "mart_rows": _count_rows(warehouse, marts),
        "seconds": round(time.monotonic() - started, 2),
    }
    _log_run(dataset, run_results, summary)
    return summary


def _log_run(dataset: str, run_results: list, summary: dict) -> None:
    """A line per model (with its rows if it is a mart), one per warning, one in total."""
    for result in run_results:
        node = result.node
        if node.resource_type == "model":
            rows = summary["mart_rows"].get(node.name)
            rows_text = f", {rows:,} rows" if rows is not None else ""
            seconds = result.execution_time
            log.info(
                "gold %s: %s %s in %.2f s%s", dataset, node.name, result.status, seconds, rows_text
            )
        elif str(result.status) == "warn":
            log.warning("gold %s: test %s warns: %s", dataset, node.name, result.message)
    models, tests = summary["models"], summary["tests"]
    log.info(
        "gold %s: %d models built, %d tests passed, %d warned, in %.1f s",
        dataset,
        models["passed"],
        tests["passed"],
        tests["warned"],
        summary["seconds"],
    )


@contextmanager
def _one_build_at_a_time(dataset: str) -> Iterator[None]:
    """Hold the dataset's build lock (a `flock` on warehouse/_candidates/<dataset>.lock).

    Two builds of one dataset would write the same candidate; the second waits for a
    retry. The lock goes with the process, so a killed build never leaves it behind.
    """
    import fcntl

    lock_path = warehouse_path(dataset, candidate=True).with_suffix(".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise WarehouseLockedError(
                f"another gold build of {dataset} is running (it holds {lock_path}); "
                "the task will be retried when it has finished."
            ) from error
        yield


def _fresh_candidate(dataset: str) -> Path:
    """Remove the last candidate (built, then rejected or never audited); return the path
    of the new candidate warehouse, with its folders made (DuckDB and COPY make none)."""
    warehouse = warehouse_path(dataset, candidate=True)
    exports = gold_dir(dataset, candidate=True)
    for leftover in (warehouse, warehouse.with_name(f"{warehouse.name}.wal")):
        leftover.unlink(missing_ok=True)
    if exports.exists():
        shutil.rmtree(exports)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    exports.mkdir(parents=True)
    return warehouse


def _check_silver_is_committed(dataset: str) -> None:
    """Refuse to build on a silver table with no published partition or a half-written one."""
    for table in list_tables(dataset):
        try:
            committed = assert_all_committed("silver", dataset, table)
        except UncommittedPartitionError as error:
            raise GoldBuildError(f"gold not built: {error}") from error
        if not committed:
            raise GoldBuildError(
                f"gold not built: silver.{dataset}.{table} has no published partition in "
                f"{table_dir('silver', dataset, table)}. Run the silver step and its gate first."
            )


@contextmanager
def _exported_data_dir(data_dir: Path) -> Iterator[None]:
    """Export MEDALLION_DATA_DIR for dbt's env_var() while dbt runs, then restore it."""
    previous = os.environ.get("MEDALLION_DATA_DIR")
    os.environ["MEDALLION_DATA_DIR"] = str(data_dir)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["MEDALLION_DATA_DIR"]
        else:
            os.environ["MEDALLION_DATA_DIR"] = previous


def invoke_dbt(command: str, settings: Settings, dataset: str, candidate: bool = False):
    """Run one dbt command (`build`, `test`, ...) on one dataset's models in this process,
    as the gold task does; return dbt's result object (`.exception`, `.result`).

    `candidate=True` works on the candidate warehouse and exports (what build_gold builds),
    otherwise on the published ones."""
    # Imported here: dbt costs seconds to import, and DAG files import this module.
    from dbt.cli.main import dbtRunner

    project_dir = settings.dbt_project_dir
    target_dir, log_dir = dbt_run_dirs(settings, dataset)
    arguments = [command, "--no-use-colors", "--no-send-anonymous-usage-stats"]
    arguments += ["--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    arguments += ["--target-path", str(target_dir), "--log-path", str(log_dir)]
    # Only this dataset's models (and the tests on them); the dataset also names the
    # warehouse file (profiles.yml) and the gold export folder.
    arguments += ["--select", f"path:models/{dataset}"]
    arguments += ["--vars", json.dumps({"dataset": dataset, "candidate": candidate})]
    with _exported_data_dir(settings.data_dir):
        try:
            return dbtRunner().invoke(arguments)
        finally:
            _release_warehouse()


def _invoke_dbt_build(settings: Settings, dataset: str) -> list:
    """Run `dbt build` of one dataset's models in this process; return dbt's RunResult
    list (one per node: its models, their unit tests and data tests)."""
    _, log_dir = dbt_run_dirs(settings, dataset)
    outcome = invoke_dbt("build", settings, dataset, candidate=True)
    if outcome.exception is not None:
        # dbt could not even start the build: a parse error, a bad profile, no database.
        raise GoldBuildError(
            f"dbt build did not run ({type(outcome.exception).__name__}):\n"
            f"  {outcome.exception}\n"
            f"  full log: {log_dir / 'dbt.log'}"
        ) from outcome.exception
    return list(outcome.result.results)


def _release_warehouse() -> None:
    """Close the DuckDB connection that dbt-duckdb keeps open after an in-process run.

    With `keep_open: true` (see dbt/profiles.yml) the adapter holds the warehouse open
    for as long as this process lives, so nothing else (the gold gate, another process,
    `dag.test()` running every task in one process) could open the file.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    # _ENV is None when dbt never connected (a parse error); there is no public accessor
    # that tolerates that case.
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def _failure_report(failures: list, log_dir: Path) -> str:
    """One readable block: what failed, where it is defined, what dbt said, what was skipped."""
    broken = [result for result in failures if str(result.status) != "skipped"]
    skipped = [result.node for result in failures if str(result.status) == "skipped"]
    lines = [
        f"dbt build failed: {len(broken)} node(s) failed, {len(skipped)} skipped because of them"
    ]
    for result in broken:
        lines.extend(_describe_failure(result))
    skipped_models = [node.name for node in skipped if node.resource_type == "model"]
    if skipped_models:
        lines.append(f"- not built (upstream failed): {', '.join(skipped_models)}")
    lines.append(f"full log: {log_dir / 'dbt.log'}")
    return "\n".join(lines)


def _describe_failure(result) -> list[str]:
    """The lines of the failure report about one failed or errored node."""
    node = result.node
    lines = [f"- {node.resource_type} {node.name} [{result.status}]"]
    test_metadata = getattr(node, "test_metadata", None)
    if test_metadata is not None:
        model = node.attached_node.split(".")[-1] if node.attached_node else "?"
        column = f".{node.column_name}" if node.column_name else ""
        lines.append(f"    checks: {test_metadata.name} on {model}{column}")
    lines.append(f"    defined in: dbt/{node.original_file_path}")
    message = (result.message or "(no message)").strip()
    if result.failures:
        message = f"{result.failures} failing row(s): {message}"
    lines.extend(f"    {line}" for line in message.splitlines())
    if node.resource_type == "test" and getattr(node, "relation_name", None):
        lines.append(f"    failing rows kept in table: {node.relation_name}")
    return lines


def _summarise(run_results: list) -> dict:
    """Status per node name, and counts of models and tests (unit and data) by outcome."""
    models = {"passed": 0, "failed": 0, "skipped": 0}
    tests = {"passed": 0, "failed": 0, "skipped": 0, "warned": 0}
    nodes = {}
    for result in run_results:
        status = str(result.status)
        nodes[result.node.name] = status
        counts = models if result.node.resource_type == "model" else tests
        if status in PASSED:
            counts["passed"] += 1
        elif status in FAILED:
            counts["failed"] += 1
        else:  # "skipped", or "warn" for a test
            counts["warned" if status == "warn" else "skipped"] += 1
    return {"nodes": nodes, "models": models, "tests": tests}


def _is_mart(node) -> bool:
    return node.resource_type == "model" and MARTS_FOLDER in node.fqn


def _count_rows(warehouse: Path, tables: list[str]) -> dict[str, int]:
    """Rows of each table, read back from the warehouse file dbt just wrote."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return {
            table: connection.execute("select count(*) from query_table($1)", [table]).fetchone()[0]
            for table in sorted(tables)
        }
