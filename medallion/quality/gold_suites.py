"""The expectations of the gold gate: each mart's grain, and gold reconciled with silver.

Gold has no contract: its marts are defined by the dbt project (dbt/models/<dataset>/marts), so
their grains are listed here by hand. Each mart is also reconciled with one figure
recomputed from silver at every run (medallion.quality.silver_totals), passed to the
suite as the parameters `<figure>_min` and `<figure>_max`:

| mart                  | gold value                     | silver figure                   |
|-----------------------|--------------------------------|---------------------------------|
| fct_orders            | distinct order_id              | current_orders                  |
| dim_customers         | distinct customer_id           | current_customers               |
| dim_products          | distinct product_id            | current_products                |
| agg_daily_sales       | Σ revenue                      | revenue (± 1 cent)              |
| agg_customer_segments | Σ customer_count               | current_customers               |
| attendance_weekly_report | Σ record_count              | current_records                 |
| attendance_chronic_absentees | distinct student_id     | chronic_absentees               |
| sensors_hourly_readings | Σ reading_count              | current_readings                |
| sensors_anomalies       | distinct reading_id          | anomalies                       |
| sensors_device_uptime   | distinct device_id           | current_devices                 |
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mart:
    """A gold mart (its dbt model, table and parquet file) and what it must agree with."""

    name: str
    grain: tuple[str, ...]
    # How a column of the mart reconciles with a silver figure: "distinct" counts the
    # column's distinct values, "sum" adds them up.
    reconcile_column: str
    reconcile_by: str
    silver_figure: str
    description: str


MARTS: dict[str, tuple[Mart, ...]] = {
    "ecommerce": (
        Mart(
            "fct_orders", ("order_id",), "order_id", "distinct", "current_orders",
            "Gold holds every order current in silver, once.",
        ),
        Mart(
            "dim_customers", ("customer_id",), "customer_id", "distinct", "current_customers",
            "Gold holds every customer current in silver, once.",
        ),
        Mart(
            "dim_products", ("product_id",), "product_id", "distinct", "current_products",
            "Gold holds every product current in silver, once.",
        ),
        Mart(
            "agg_daily_sales", ("order_date", "category", "region", "segment"),
            "revenue", "sum", "revenue",
            "Gold revenue equals silver revenue within a cent: Σ quantity × unit_price of "
            "the current lines of current orders that are neither cancelled nor returned.",
        ),
        Mart(
            "agg_customer_segments", ("segment", "value_tier"),
            "customer_count", "sum", "current_customers",
            "Every customer current in silver is counted in exactly one segment and tier.",
        ),
    ),
    "attendance": (
        Mart(
            "attendance_weekly_report", ("week_start", "campus", "class_id"),
            "record_count", "sum", "current_records",
            "Every student-day of silver (its latest mark, corrections applied) is counted "
            "in exactly one week, campus and class.",
        ),
        Mart(
            "attendance_chronic_absentees", ("student_id",), "student_id", "distinct",
            "chronic_absentees",
            "Gold lists exactly the students silver shows absent on more than the "
            "chronic_absence_threshold share of their marked days.",
        ),
    ),
    "sensors": (
        Mart(
            "sensors_hourly_readings", ("reading_hour", "site", "device_id"),
            "reading_count", "sum", "current_readings",
            "Every reading of silver is counted once (a re-sent one too), in the hour it "
            "was taken.",
        ),
        Mart(
            "sensors_anomalies", ("device_id", "measured_at"), "reading_id", "distinct",
            "anomalies",
            "Gold lists exactly the readings silver shows more than "
            "anomaly_temperature_delta_c away from their device's hourly median.",
        ),
        Mart(
            "sensors_device_uptime", ("device_id",), "device_id", "distinct",
            "current_devices",
            "Every device of the registry in silver has one uptime row.",
        ),
    ),
}  # fmt: skip


def marts(dataset: str) -> tuple[Mart, ...]:
    if dataset not in MARTS:
        raise KeyError(f"no gold marts are listed for dataset {dataset!r} in {__name__}")
    return MARTS[dataset]


def gold_expectations(mart: Mart) -> list:
    """Grain not null and unique, then the mart's reconciliation with silver."""
    import great_expectations.expectations as gxe

    expectations = [gxe.ExpectColumnValuesToNotBeNull(column=name) for name in mart.grain]
    if len(mart.grain) == 1:
        expectations.append(gxe.ExpectColumnValuesToBeUnique(column=mart.grain[0]))
    else:
        expectations.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(mart.grain)))

    bounds = {
        "min_value": {"$PARAMETER": f"{mart.silver_figure}_min"},
        "max_value": {"$PARAMETER": f"{mart.silver_figure}_max"},
    }
    if mart.reconcile_by == "distinct":
        reconciliation = gxe.ExpectColumnUniqueValueCountToBeBetween(
            column=mart.reconcile_column, description=mart.description, **bounds
        )
    elif mart.reconcile_by == "sum":
        reconciliation = gxe.ExpectColumnSumToBeBetween(
            column=mart.reconcile_column, description=mart.description, **bounds
        )
    else:
        raise ValueError(f"{mart.name}: reconcile_by must be 'distinct' or 'sum'")
    return [*expectations, reconciliation]
