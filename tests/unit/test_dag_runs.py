"""`make run` (medallion/dag_runs.py) puts each failed task's own error first."""

from __future__ import annotations

from medallion.dag_runs import failed_task_errors

# The shape of `airflow dags test` output (Airflow 3.3) when a gate fails: the task's
# start, the failed try, a chained traceback whose last exception spans several lines,
# then the next log line. Trimmed from a real run.
GATE_FAILED = """\
2026-12-05T05:32:44.001Z [info     ] [DAG TEST] starting task_id=silver.validate_silver_orders map_index=-1 [airflow.sdk.definitions.dag]
2026-12-05T05:32:45.966Z [error    ] Task failed with exception     [task] loc=task_runner.py:1639
Traceback (most recent call last):
  File "/repo/medallion/quality/gates.py", line 224, in _finish
    raise GateFailedError(result.failure_message(), result)
medallion.quality.results.GateFailedError: silver gate failed for ecommerce.orders, delivery 2026-11-02: 1 of 32 expectations failed.
  - silver.ecommerce.orders: expect_column_values_to_be_between on _amount_minus_items_total: 1 of 51 rows unexpected, e.g. -797.66

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/repo/medallion/errors.py", line 56, in fail_fast_on_data_errors
    raise AirflowFailException(f"{type(error).__name__}: {error}") from error
airflow.sdk.exceptions.AirflowFailException: GateFailedError: silver gate failed for ecommerce.orders, delivery 2026-11-02: 1 of 32 expectations failed.
  - silver.ecommerce.orders: expect_column_values_to_be_between on _amount_minus_items_total: 1 of 51 rows unexpected, e.g. -797.66
Data Docs of the failed checks:
  /repo/great_expectations/uncommitted/data_docs/local_site/validations/silver/lake-silver.html
Not published: readers still see the version of 2026-11-02 committed at 2026-12-05T05:31:34+00:00.
2026-12-05T05:32:45.968Z [info     ] ::group::Post Execute          [task] loc=task_runner.py:1640
2026-12-05T05:32:46.000Z [info     ] [DAG TEST] starting task_id=silver.validate_silver_products map_index=-1 [airflow.sdk.definitions.dag]
"""


def test_a_multi_line_error_is_shown_whole_under_its_task():
    errors = failed_task_errors(GATE_FAILED)
    assert list(errors) == ["silver.validate_silver_orders"]
    lines = errors["silver.validate_silver_orders"].splitlines()
    assert lines[0].startswith("GateFailedError: silver gate failed for ecommerce.orders")
    assert lines[1].startswith("  - silver.ecommerce.orders: expect_column_values_to_be_between")
    assert lines[-1].startswith("Not published: readers still see the version of 2026-11-02")
    assert not [line for line in lines if line.startswith(("Traceback", "  File"))]


def test_an_exception_other_than_airflow_fail_keeps_its_name():
    retried = GATE_FAILED.replace(
        "airflow.sdk.exceptions.AirflowFailException: GateFailedError:",
        "spark.session.EngineUnreachableError: the engine is down;",
    )
    error = failed_task_errors(retried)["silver.validate_silver_orders"]
    assert error.startswith("EngineUnreachableError: the engine is down;")
