"""The gate-engine comparison reports every expectation whose outcome differs.

The comparison itself (medallion.bench.gate_engines) needs the 100k or 1M partitions and
minutes; what a reader trusts in its report is the agreement verdict, checked here.
"""

from __future__ import annotations

from medallion.bench.gate_engines import CHECKS, agreement, markdown


def _runs(spark_outcomes: dict) -> list[dict]:
    pandas_outcomes = {
        "expect_column_values_to_not_be_null(order_id)": [True, 0],
        "expect_column_values_to_be_in_set(status)": [False, 3],
    }
    runs = []
    for layer, table in CHECKS:
        for engine, outcomes in (("pandas", pandas_outcomes), ("spark", spark_outcomes)):
            runs.append(
                {
                    "layer": layer, "table": table, "engine": engine, "round": 0,
                    "outcomes": outcomes, "rows": 10, "seconds": 1.0, "peak_rss_mb": 100.0,
                    "startup_seconds": 0.5, "read_seconds": 0.1, "validate_seconds": 0.4,
                    "engine_rss_mb": 1000.0, "engine_peak_rss_mb": 1100.0,
                }
            )  # fmt: skip
    return runs


def test_engines_that_agree_have_no_differences():
    same = {
        "expect_column_values_to_not_be_null(order_id)": [True, 0],
        "expect_column_values_to_be_in_set(status)": [False, 3],
    }
    assert agreement(_runs(same)) == {"bronze.events spark": [], "silver.orders spark": []}


def test_a_different_unexpected_count_or_a_missing_expectation_is_reported():
    differing = {"expect_column_values_to_be_in_set(status)": [False, 4]}
    verdicts = agreement(_runs(differing))
    assert verdicts["silver.orders spark"] == [
        "expect_column_values_to_be_in_set(status): pandas [False, 3] / spark [False, 4]",
        "expect_column_values_to_not_be_null(order_id): pandas [True, 0] / spark None",
    ]
    report = {"scale": "tiny", "ds": "2026-11-01", "runs": _runs(differing), "agreement": verdicts}
    assert "pandas [False, 3] / spark [False, 4]" in markdown(report)
