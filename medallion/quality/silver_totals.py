"""The figures gold must agree with, recomputed from the silver parquet with DuckDB.

Silver holds one row per key per delivery; a key delivered on several days (an order
whose status changed, an attendance mark corrected) has several rows. The current
version of a key is the one with the latest version column of its contract
(`updated_at`, `recorded_at`), a tie going to the later delivery. These figures are
computed over every committed silver partition, because dbt builds gold from all of
them, whatever date the run is for. Each dataset has its own query (`_FIGURES`); a
dataset scaffolded by `medallion new-dataset` gets one query per table built from its
contract (`starter_figures`), the figures its starter marts reconcile with.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from medallion.lake import assert_all_committed, partition_dir
from medallion.quality.frames import MissingPartitionError
from medallion.settings import load_settings

# Money (the Decimal figures) is compared to the cent; counts exactly.
MONEY_TOLERANCE = Decimal("0.01")

_SILVER_FIGURES_SQL = """
with

orders as (
    select * from read_parquet($orders, hive_partitioning = true)
    qualify row_number() over (
        partition by order_id order by updated_at desc, ingest_date desc
    ) = 1
),

order_items as (
    select * from read_parquet($order_items, hive_partitioning = true)
    qualify row_number() over (
        partition by order_id, line_number order by updated_at desc, ingest_date desc
    ) = 1
),

customers as (
    select distinct customer_id from read_parquet($customers, hive_partitioning = true)
),

products as (
    select distinct product_id from read_parquet($products, hive_partitioning = true)
),

revenue_lines as (
    select order_items.quantity * order_items.unit_price as line_revenue
    from order_items
    inner join orders on order_items.order_id = orders.order_id
    where orders.status not in ('cancelled', 'returned')
)

select
    (select count(*) from orders) as current_orders,
    (select count(*) from customers) as current_customers,
    (select count(*) from products) as current_products,
    (select coalesce(sum(line_revenue), 0) from revenue_lines) as revenue
"""

# A student is a chronic absentee above this share of absent marked days: the threshold
# is the dbt var of the same name, read from dbt_project.yml so both sides use one value.
_ATTENDANCE_FIGURES_SQL = """
with

marks as (
    select * from read_parquet($records, hive_partitioning = true)
    qualify row_number() over (
        partition by student_id, attendance_date order by recorded_at desc, ingest_date desc
    ) = 1
),

students as (
    select
        student_id,
        count(*) filter (where status is not null) as marked_days,
        count(*) filter (where status in ('absent', 'excused')) as absent_days
    from marks
    group by student_id
)

select
    (select count(*) from marks) as current_records,
    (
        select count(*) from students
        where marked_days > 0 and absent_days / marked_days > $chronic_absence_threshold
    ) as chronic_absentees
"""

# A reading is an anomaly more than this many °C away from the median of its device and
# hour (the dbt var of the same name).
_SENSORS_FIGURES_SQL = """
with

readings as (
    select
        device_id,
        temperature_c,
        median(temperature_c) over (
            partition by device_id, date_trunc('hour', measured_at)
        ) as hour_median
    from read_parquet($readings, hive_partitioning = true, hive_types_autocast = false)
    qualify row_number() over (
        partition by device_id, measured_at order by sent_at desc, ingest_date desc
    ) = 1
)

select
    (select count(*) from readings) as current_readings,
    (
        select count(*) from readings
        where abs(temperature_c - hour_median) > $anomaly_temperature_delta_c
    ) as anomalies,
    (
        select count(distinct device_id)
        from read_parquet($devices, hive_partitioning = true, hive_types_autocast = false)
    ) as current_devices
"""

# dataset -> (query, the silver tables it reads as parameters)
_FIGURES = {
    "ecommerce": (_SILVER_FIGURES_SQL, ("orders", "order_items", "customers", "products")),
    "attendance": (_ATTENDANCE_FIGURES_SQL, ("records",)),
    "sensors": (_SENSORS_FIGURES_SQL, ("readings", "devices")),
}
# dataset -> the dbt vars its query takes as parameters
_DBT_VARS = {
    "attendance": ("chronic_absence_threshold",),
    "sensors": ("anomaly_temperature_delta_c",),
}


def silver_figures(dataset: str) -> dict[str, int | Decimal]:
    """The dataset's figures from silver: for ecommerce current_orders, current_customers,
    current_products and revenue; for attendance current_records and chronic_absentees;
    for sensors current_readings, anomalies and current_devices."""
    import duckdb

    if dataset not in _FIGURES:
        return starter_figures(dataset)
    query, tables = _FIGURES[dataset]
    parameters: dict = {
        table: [str(path) for path in _silver_files(dataset, table)] for table in tables
    }
    for name in _DBT_VARS.get(dataset, ()):
        parameters[name] = _dbt_var(name)
    with duckdb.connect() as connection:
        cursor = connection.execute(query, parameters)
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def starter_figures(dataset: str) -> dict[str, int | Decimal]:
    """For each table of a scaffolded dataset: `<table>__current_rows`, the keys' current
    versions (picked as its dbt staging model picks them: latest version column, then
    later delivery, then smaller row hash), and `<table>__<measure>_sum`, the sum of the
    contract's measure over those versions.

    The names come from a contract, so this is pandas, not SQL put together from text.
    """
    import duckdb

    from medallion.contracts import list_tables, load_contract

    figures: dict[str, int | Decimal] = {}
    with duckdb.connect() as connection:
        for table in list_tables(dataset):
            contract = load_contract(dataset, table)
            files = [str(path) for path in _silver_files(dataset, table)]
            silver = (
                connection.sql(
                    "select * from read_parquet($files, hive_partitioning = true)",
                    params={"files": files},
                )
                .to_arrow_table()
                .to_pandas()  # through arrow: decimals stay Decimal, exact to the cent
            )
            current = silver.sort_values(
                [contract.version_column, "ingest_date", "_row_hash"],
                ascending=[False, False, True],
            ).drop_duplicates(subset=list(contract.primary_key), keep="first")
            figures[f"{table}__current_rows"] = len(current)
            if contract.measure:
                values = current[contract.measure].dropna()
                figures[f"{table}__{contract.measure}_sum"] = Decimal(str(values.sum() or 0))
    return figures


def figure_parameters(figures: dict[str, int | Decimal]) -> dict[str, int | float]:
    """Suite parameters `<figure>_min` / `<figure>_max` for the gold suites."""
    parameters: dict[str, int | float] = {}
    for name, value in figures.items():
        if isinstance(value, Decimal):
            parameters[f"{name}_min"] = float(value - MONEY_TOLERANCE)
            parameters[f"{name}_max"] = float(value + MONEY_TOLERANCE)
        else:
            parameters[f"{name}_min"] = parameters[f"{name}_max"] = int(value)
    return parameters


def _dbt_var(name: str):
    """A var of the dbt project (dbt/dbt_project.yml), which the marts use too."""
    import yaml

    project = load_settings().dbt_project_dir / "dbt_project.yml"
    return yaml.safe_load(project.read_text(encoding="utf-8"))["vars"][name]


def _silver_files(dataset: str, table: str) -> list[Path]:
    """Parquet files of every committed silver partition of a table."""
    dates = assert_all_committed("silver", dataset, table)
    files = [
        path
        for ds in dates
        for path in sorted(partition_dir("silver", dataset, table, ds).glob("*.parquet"))
    ]
    if not files:
        raise MissingPartitionError(
            f"silver.{dataset}.{table} has no committed rows: gold cannot be reconciled. "
            "Run the bronze and silver steps first."
        )
    return files
