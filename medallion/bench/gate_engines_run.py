"""One run of medallion.bench.gate_engines, in its own process (as a gate task is).

    python -m medallion.bench.gate_engines_run setup
    python -m medallion.bench.gate_engines_run one pandas|spark bronze|silver <table> <ds>

`setup` gives the benchmark's copy of the GX project (never the committed one) a Spark
datasource and one checkpoint per compared suite; `one` runs one suite on one engine and
prints one JSON line: rows, seconds of start-up, read and validation, and the outcome
(success, unexpected count) of every expectation.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from medallion.bench.gate_engines import CHECKS

# The Spark engines compared, by whether GX caches the whole frame in the engine before
# validating (`persist`, GX's default) or lets every metric read its columns again.
SPARK_ENGINES = {"spark": True, "spark_unpersisted": False}


def setup_spark_checks() -> dict:
    """Give the benchmark's GX project a Spark datasource per Spark engine and, in each,
    a checkpoint per compared suite: the committed suite with Spark's type names, the
    same result format and the same Data Docs action as the gates' checkpoints."""
    from great_expectations.checkpoint import UpdateDataDocsAction

    import great_expectations as gx
    from medallion.quality.build_suites import CHECKPOINT_RESULT_FORMAT
    from medallion.quality.project import DATA_DOCS_SITE, check_name, get_context
    from spark.session import session_of_connection

    _remove_earlier_setup()
    # GX's Spark datasource takes the active session: the warm engine's, opened first.
    session_of_connection("gate_setup")
    context = get_context()
    suites = {name: _with_spark_type_names(context, name) for name in _check_names()}
    for engine, persist in SPARK_ENGINES.items():
        if any(source.name == f"lake_{engine}" for source in context.data_sources.all().values()):
            context.data_sources.delete(f"lake_{engine}")
        source = context.data_sources.add_spark(f"lake_{engine}", persist=persist)
        for layer, table in CHECKS:
            name = check_name(layer, "ecommerce", table)
            asset = source.add_dataframe_asset(f"{layer}.{table}")
            batch = asset.add_batch_definition_whole_dataframe("whole_dataframe")
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{name}.{engine}", data=batch, suite=suites[name])
            )
            context.checkpoints.add(
                gx.Checkpoint(
                    name=f"{name}.{engine}",
                    validation_definitions=[definition],
                    actions=[
                        UpdateDataDocsAction(name="update_data_docs", site_names=[DATA_DOCS_SITE])
                    ],
                    result_format=CHECKPOINT_RESULT_FORMAT,
                )
            )
    return {"engines": list(SPARK_ENGINES)}


def _remove_earlier_setup() -> None:
    """Delete the checkpoints and validation definitions an earlier setup wrote: the
    benchmark copies great_expectations.yml afresh each run, so their datasources are
    gone, and GX would skip them with a warning at every load."""
    from medallion.quality.project import gx_project_dir

    for folder in ("checkpoints", "validation_definitions"):
        for engine in SPARK_ENGINES:
            for path in (gx_project_dir() / folder).glob(f"*.{engine}.json"):
                path.unlink()


def _check_names() -> list[str]:
    from medallion.quality.project import check_name

    return [check_name(layer, "ecommerce", table) for layer, table in CHECKS]


# The committed suites name pandas types (medallion.quality.contract_suites); GX's Spark
# engine knows only pyspark's type names and raises on any other ("No recognized spark
# types"), so the Spark run checks the same columns against the same contract types
# under their Spark names.
SPARK_TYPE_NAMES = {
    "string": "StringType",
    "integer": "IntegerType",
    "long": "LongType",
    "double": "DoubleType",
    "boolean": "BooleanType",
    "date": "DateType",
    "timestamp": "TimestampType",
}


def _with_spark_type_names(context, name: str):
    """A copy of the committed suite `name`, stored as `<name>.spark`, whose type
    expectations name Spark types; every other expectation is unchanged."""
    import great_expectations as gx
    from medallion.contracts import load_contract

    _, dataset, table = name.split(".")
    types = {column.name: column.type for column in load_contract(dataset, table).columns}
    committed = context.suites.get(name)
    expectations = []
    for expectation in committed.expectations:
        expectation = expectation.copy()
        expectation.id = None
        if expectation.expectation_type == "expect_column_values_to_be_of_type":
            contract_type = types[expectation.column]
            expectation.type_ = (
                "DecimalType"
                if contract_type.startswith("decimal")
                else SPARK_TYPE_NAMES[contract_type]
            )
        expectations.append(expectation)
    if any(suite.name == f"{name}.spark" for suite in context.suites.all()):
        context.suites.delete(f"{name}.spark")
    return context.suites.add(gx.ExpectationSuite(name=f"{name}.spark", expectations=expectations))


def run_one(engine: str, layer: str, table: str, ds: str) -> dict:
    """One gate's main checkpoint on one engine; what it found, and where time went."""
    started = time.perf_counter()
    from medallion.contracts import load_contract
    from medallion.quality.project import check_name, get_context

    get_context()
    check = check_name(layer, "ecommerce", table)
    contract = load_contract("ecommerce", table)
    startup = time.perf_counter() - started
    if engine == "pandas":
        frame, parameters = _pandas_frame(layer, contract, ds)
        rows = len(frame)
    else:
        frame, parameters = _spark_frame(layer, contract, ds)
        rows = None  # counted by the suite; not worth a second pass here
    read = time.perf_counter() - started - startup
    outcome = _run_checkpoint(
        check if engine == "pandas" else f"{check}.{engine}", frame, ds, parameters
    )
    return {
        "rows": rows if rows is not None else outcome.pop("rows", 0),
        "startup_seconds": round(startup, 3),
        "read_seconds": round(read, 3),
        "validate_seconds": round(time.perf_counter() - started - startup - read, 3),
        **outcome,
    }


def _parameters(layer: str, contract, ds: str) -> dict:
    from datetime import UTC, datetime

    from medallion.quality.frames import committed_marker

    if layer == "bronze":
        marker = committed_marker("bronze", contract, ds)
        return {"source_rows": int(marker["source_rows"]), "min_rows": 1}
    now = datetime.now(UTC)
    return {"validation_time": now, "validation_date": now.date()}


def _pandas_frame(layer: str, contract, ds: str):
    from medallion.quality.business_rules import add_business_columns
    from medallion.quality.frames import read_partition

    frame = read_partition(layer, contract, ds)
    if layer == "silver":
        frame = add_business_columns(frame, contract.dataset, contract.table, ds)
    return frame, _parameters(layer, contract, ds)


def _spark_frame(layer: str, contract, ds: str):
    from medallion.bench.gate_engines_spark import spark_partition

    return spark_partition(layer, contract, ds), _parameters(layer, contract, ds)


def _run_checkpoint(name: str, frame, ds: str, parameters: dict) -> dict:
    from datetime import UTC, datetime

    from great_expectations.core.run_identifier import RunIdentifier

    from medallion.quality.project import get_context
    from medallion.quality.results import failures_of

    checkpoint = get_context().checkpoints.get(name)
    run_id = RunIdentifier(run_name=f"ingest_date={ds}", run_time=datetime.now(UTC))
    result = checkpoint.run(
        batch_parameters={"dataframe": frame},
        expectation_parameters=parameters,
        run_id=run_id,
    )
    ((_, validation),) = result.run_results.items()
    outcomes, rows = {}, 0
    for item in validation.results:
        config = item.expectation_config
        column = config.kwargs.get("column", "")
        key = f"{config.type}({column})" if column else config.type
        outcomes[key] = [bool(item.success), item.result.get("unexpected_count")]
        # Rows validated: a column expectation's element count, or the observed row count.
        counted = item.result.get("element_count", item.result.get("observed_value"))
        rows = max(rows, counted if isinstance(counted, int) else 0)
    return {
        "evaluated": validation.statistics["evaluated_expectations"],
        "passed": validation.statistics["successful_expectations"],
        "failures": [failure.expectation for failure in failures_of(validation)],
        "outcomes": outcomes,
        "rows": rows,
    }


def main(argv: list[str]) -> dict:
    kind, *rest = argv
    if kind == "setup":
        return setup_spark_checks()
    if kind == "one":
        return run_one(*rest)
    raise SystemExit(f"unknown run kind {kind!r}; see the module docstring")


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    print(json.dumps(main(sys.argv[1:]), default=str))
