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

A dataset scaffolded by `medallion new-dataset` is not listed: its starter marts are
derived from its contracts (`starter_marts`), one per table, and reconciled the same way:
Σ row_count = the current versions of the table's keys in silver (`<table>__current_rows`)
and, when the contract names a `measure`, Σ total_<measure> = the measure's sum over those
versions (`<table>__<measure>_sum`, ± 1 cent). Replacing a starter mart means listing the
new marts here.
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
    # Further columns whose sum must equal a silver figure: (column, silver figure).
    further_sums: tuple[tuple[str, str], ...] = ()


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
    """The gold marts of a dataset: listed above, or the starter marts of a scaffolded one."""
    return MARTS.get(dataset) or starter_marts(dataset)


def starter_marts(dataset: str) -> tuple[Mart, ...]:
    """The starter mart of each table of a scaffolded dataset, as its contract defines it."""
    from medallion.contracts import list_tables, load_contract
    from medallion.scaffold.dbt_models import starter_mart

    found = []
    for table in list_tables(dataset):
        contract = load_contract(dataset, table)
        # Reserved words only change how the SQL quotes a name, not the names themselves.
        starter = starter_mart(contract, keywords=set())
        measure = contract.measure
        found.append(
            Mart(
                starter.name,
                (starter.grain,) if starter.grain else (),
                "row_count",
                "sum",
                f"{table}__current_rows",
                f"Every key current in silver {table} is counted once: Σ row_count equals "
                f"the rows of the latest version of each key {list(contract.primary_key)}.",
                ((f"total_{measure}", f"{table}__{measure}_sum"),) if measure else (),
            )
        )
    return tuple(found)


def gold_expectations(mart: Mart) -> list:
    """Grain not null and unique, then the mart's reconciliation with silver."""
    import great_expectations.expectations as gxe

    expectations = [gxe.ExpectColumnValuesToNotBeNull(column=name) for name in mart.grain]
    if not mart.grain:  # a one-row total
        expectations.append(gxe.ExpectTableRowCountToEqual(value=1))
    elif len(mart.grain) == 1:
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
    further = [
        gxe.ExpectColumnSumToBeBetween(
            column=column,
            min_value={"$PARAMETER": f"{figure}_min"},
            max_value={"$PARAMETER": f"{figure}_max"},
            description=f"Σ {column} of gold equals {figure} recomputed from silver.",
        )
        for column, figure in mart.further_sums
    ]
    return [*expectations, reconciliation, *further]
