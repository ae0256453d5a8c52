"""The gold layer, built by a real `dbt build` over a small hand-made silver lake.

The silver fixture has two deliveries (2026-11-01 and 2026-11-02) and the cases gold
must get right: an order whose status changes on day 2, an order cancelled on day 2, a
customer who moved region, a product whose cost changed, a line of an order that was
quarantined (not in silver orders), a product and a customer missing from silver.
Every expected figure below was worked out by hand from these rows.
"""

from __future__ import annotations

import json
import subprocess
import sys
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from medallion.contracts import load_contract
from medallion.gold import GoldBuildError, WarehouseLockedError, build_gold, dbt_run_dirs
from medallion.lake import (
    candidate_dir,
    gold_dir,
    partition_dir,
    warehouse_path,
    write_commit_marker,
)
from medallion.publication import publish_gold, publish_partition
from medallion.quality.frames import arrow_type
from medallion.settings import load_settings

pytestmark = pytest.mark.slow

DAY_1, DAY_2 = "2026-11-01", "2026-11-02"
MARTS = ["agg_customer_segments", "agg_daily_sales", "dim_customers", "dim_products", "fct_orders"]

# Rows in contract column order, written as text and typed from the contract.
# fmt: off
SILVER_ROWS = {
    "customers": {
        DAY_1: [
            ("c-1", "Ada Lovelace", "ada@example.org", "consumer", "north", "2025-01-10", "2026-11-01 08:00:00"),
            ("c-2", "Grace Hopper", None, "corporate", "south", "2025-02-11", "2026-11-01 08:00:00"),
            ("c-3", "Alan Turing", "alan@example.org", "small_business", "east", "2025-03-12", "2026-11-01 08:00:00"),
            ("c-4", "Edsger Dijkstra", None, "small_business", "east", None, "2026-11-01 08:00:00"),
        ],
        DAY_2: [  # c-2 moved from south to west: gold uses the current region.
            ("c-2", "Grace Hopper", None, "corporate", "west", "2025-02-11", "2026-11-02 07:00:00"),
        ],
    },
    "products": {
        DAY_1: [
            ("p-1", "Paperback", "books", "4.00", "10.00", "2026-11-01 06:00:00"),
            ("p-2", "Headphones", "electronics", "50.00", "80.00", "2026-11-01 06:00:00"),
        ],
        DAY_2: [  # p-1 now costs 5.00: every cost in gold uses the current unit cost.
            ("p-1", "Paperback", "books", "5.00", "10.00", "2026-11-02 06:00:00"),
        ],
    },
    "orders": {
        DAY_1: [
            ("o-1", "c-1", "2026-11-01 09:00:00", "placed", None, "27.50", "2026-11-01 09:00:00"),
            ("o-2", "c-2", "2026-11-01 23:30:00", "paid", "card", "107.00", "2026-11-01 23:31:00"),
            ("o-3", "c-3", "2026-11-01 12:00:00", "paid", "paypal", "160.00", "2026-11-01 12:01:00"),
        ],
        DAY_2: [
            ("o-1", "c-1", "2026-11-01 09:00:00", "delivered", "card", "27.50", "2026-11-02 10:00:00"),
            ("o-3", "c-3", "2026-11-01 12:00:00", "cancelled", "paypal", "160.00", "2026-11-02 11:00:00"),
            ("o-4", "c-1", "2026-11-02 10:00:00", "paid", "card", "10.00", "2026-11-02 10:00:00"),
            ("o-5", "c-9", "2026-11-02 11:00:00", "paid", "gift_card", "75.00", "2026-11-02 11:00:00"),
            ("o-6", "c-1", "2026-11-02 15:00:00", "paid", "card", "20.00", "2026-11-02 15:00:00"),
        ],
    },
    "order_items": {
        DAY_1: [
            ("o-1", 1, "p-1", 2, "10.00", "2026-11-01 09:00:00"),
            ("o-1", 2, "p-9", 1, "7.50", "2026-11-01 09:00:00"),  # p-9 is not in the catalogue
            ("o-2", 1, "p-2", 1, "80.00", "2026-11-01 23:30:00"),
            ("o-2", 2, "p-1", 3, "9.00", "2026-11-01 23:30:00"),
            ("o-3", 1, "p-2", 2, "80.00", "2026-11-01 12:00:00"),
        ],
        DAY_2: [
            ("o-4", 1, "p-1", 1, "10.00", "2026-11-02 10:00:00"),
            ("o-5", 1, "p-2", 1, "75.00", "2026-11-02 11:00:00"),
            ("o-6", 1, "p-1", 2, "10.00", "2026-11-02 15:00:00"),
            ("o-q", 1, "p-1", 4, "10.00", "2026-11-02 16:00:00"),  # its order was quarantined
        ],
    },
    "events": {
        DAY_1: [("e-1", "s-1", "c-1", "page_view", None, "2026-11-01 08:59:00")],
        DAY_2: [
            ("e-1", "s-1", "c-1", "page_view", None, "2026-11-01 08:59:00"),  # re-sent
            ("e-2", "s-2", None, "product_view", "p-2", "2026-11-02 10:59:00"),
        ],
    },
}
# fmt: on


def _typed(value, column_type: str):
    """Turn a fixture text value into what silver stores for the contract type."""
    if value is None or not isinstance(value, str):
        return value
    if column_type == "timestamp":
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if column_type == "date":
        return date.fromisoformat(value)
    if column_type.startswith("decimal"):
        return Decimal(value)
    return value


def write_silver(rows_by_table: dict, *, commit: bool = True) -> None:
    """Write silver partitions shaped like the refine step's (contract types + metadata)."""
    for table, deliveries in rows_by_table.items():
        contract = load_contract("ecommerce", table)
        fields = [pa.field(c.name, arrow_type(c.type)) for c in contract.columns]
        fields += [
            pa.field("_ingested_at", pa.timestamp("us", tz="UTC")),
            pa.field("_source_file", pa.string()),
            pa.field("_row_hash", pa.string()),
        ]
        for ds, rows in deliveries.items():
            records = []
            for number, row in enumerate(rows):
                record = {
                    c.name: _typed(v, c.type) for c, v in zip(contract.columns, row, strict=True)
                }
                record["_ingested_at"] = datetime.fromisoformat(f"{ds} 23:00:00").replace(
                    tzinfo=UTC
                )
                record["_source_file"] = f"landing/ecommerce/{table}/{ds}/{table}.csv"
                record["_row_hash"] = f"{table}-{ds}-{number}"
                records.append(record)
            # Published as a job and its passed gate leave it; without `commit`, written in
            # place with no marker, as a writer that stopped half way would leave it.
            place = candidate_dir if commit else partition_dir
            folder = place("silver", "ecommerce", table, ds)
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(
                pa.Table.from_pylist(records, schema=pa.schema(fields)), folder / "part-0.parquet"
            )
            if commit:
                write_commit_marker("silver", "ecommerce", table, ds, {"rows": len(records)})
                publish_partition("silver", "ecommerce", table, ds, audit={})


@pytest.fixture(scope="module")
def gold(tmp_path_factory):
    """Build gold once over the fixture; yield (summary, open warehouse connection)."""
    data_dir = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("MEDALLION_DATA_DIR", str(data_dir))
        write_silver(SILVER_ROWS)
        summary = build_gold("ecommerce")
    with duckdb.connect(summary["warehouse"], read_only=True) as connection:
        yield summary, connection, data_dir


def nodes_in_the_project(dataset: str) -> tuple[set[str], set[str]]:
    """The models under models/<dataset>/ and every test dbt build runs with them.

    Read from the manifest the build wrote, independently of build_gold's summary: a test
    runs when it depends on one of the models (dbt's eager selection), a unit test when it
    tests one. A fork that adds a model or a test changes these sets, not this file.
    """
    target, _ = dbt_run_dirs(load_settings(), dataset)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    models = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and node["original_file_path"].startswith(f"models/{dataset}/")
    }
    tests = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and models & set(node["depends_on"]["nodes"])
    } | {
        unique_id
        for unique_id, unit_test in manifest.get("unit_tests", {}).items()
        if models & set(unit_test["depends_on"]["nodes"])
    }
    return {unique_id.split(".")[-1] for unique_id in models}, tests


def _rows(connection, sql: str) -> list[tuple]:
    return connection.execute(sql).fetchall()


def test_agg_daily_sales_matches_hand_computed_rows(gold):
    _, connection, _ = gold
    rows = _rows(
        connection,
        """select order_date::varchar, category, region, segment, revenue, cost, order_count,
                  unique_customers, average_order_value, profit_margin
           from agg_daily_sales order by all""",
    )
    d, approx = Decimal, pytest.approx
    # o-3 is cancelled and o-q has no order: neither appears. c-2 is in 'west' now, p-1's
    # cost is the current 5.00, p-9 and c-9 are 'unknown'.
    assert rows == [
        (DAY_1, "books", "north", "consumer", d("20.00"), d("10.00"), 1, 1, 20.0, 0.5),
        (DAY_1, "books", "west", "corporate", d("27.00"), d("15.00"), 1, 1, 27.0, approx(12 / 27)),
        (DAY_1, "electronics", "west", "corporate", d("80.00"), d("50.00"), 1, 1, 80.0, 0.375),
        (DAY_1, "unknown", "north", "consumer", d("7.50"), None, 1, 1, 7.5, None),
        (DAY_2, "books", "north", "consumer", d("30.00"), d("15.00"), 2, 1, 15.0, 0.5),
        (
            DAY_2,
            "electronics",
            "unknown",
            "unknown",
            d("75.00"),
            d("50.00"),
            1,
            1,
            75.0,
            approx(1 / 3),
        ),
    ]


def test_fct_orders_has_current_status_and_line_totals(gold):
    _, connection, _ = gold
    rows = _rows(
        connection,
        """select order_id, customer_id, order_date::varchar, status, is_revenue,
                  line_count, item_count, items_revenue, items_cost
           from fct_orders order by order_id""",
    )
    d = Decimal
    assert rows == [
        ("o-1", "c-1", DAY_1, "delivered", True, 2, 3, d("27.50"), d("10.00")),
        ("o-2", "c-2", DAY_1, "paid", True, 2, 4, d("107.00"), d("65.00")),
        ("o-3", "c-3", DAY_1, "cancelled", False, 1, 2, d("160.00"), d("100.00")),
        ("o-4", "c-1", DAY_2, "paid", True, 1, 1, d("10.00"), d("5.00")),
        ("o-5", "c-9", DAY_2, "paid", True, 1, 1, d("75.00"), d("50.00")),
        ("o-6", "c-1", DAY_2, "paid", True, 1, 2, d("20.00"), d("10.00")),
    ]


def test_dimensions_and_segments_match_hand_computed_rows(gold):
    _, connection, _ = gold
    customers = _rows(
        connection,
        """select customer_id, region, first_order_date::varchar, last_order_date::varchar,
                  lifetime_order_count, lifetime_revenue_order_count, lifetime_revenue
           from dim_customers order by customer_id""",
    )
    assert customers == [
        ("c-1", "north", DAY_1, DAY_2, 3, 3, Decimal("57.50")),
        ("c-2", "west", DAY_1, DAY_1, 1, 1, Decimal("107.00")),
        ("c-3", "east", DAY_1, DAY_1, 1, 0, Decimal("0")),
        ("c-4", "east", None, None, 0, 0, Decimal("0")),
    ]
    segments = _rows(
        connection,
        "select segment, value_tier, customer_count, revenue, order_count "
        "from agg_customer_segments order by all",
    )
    assert segments == [
        ("consumer", "low", 1, Decimal("57.50"), 3),
        ("corporate", "mid", 1, Decimal("107.00"), 1),
        ("small_business", "none", 2, Decimal("0"), 1),
    ]
    products = _rows(
        connection,
        "select product_id, unit_cost, units_sold, revenue from dim_products order by product_id",
    )
    assert products == [
        ("p-1", Decimal("5.00"), 8, Decimal("77.00")),
        ("p-2", Decimal("50.00"), 2, Decimal("155.00")),
    ]


def test_revenue_reconciles_with_silver_read_independently(gold):
    """Total gold revenue = silver lines of current, non-cancelled orders, in plain SQL."""
    _, connection, data_dir = gold
    silver = data_dir / "lake" / "silver" / "ecommerce"
    expected = (
        duckdb.connect()
        .execute(
            """with current_orders as (
               select order_id, arg_max(status, updated_at) as status
               from read_parquet($orders) group by order_id
           )
           select sum(items.quantity * items.unit_price)
           from read_parquet($items) as items join current_orders using (order_id)
           where current_orders.status not in ('cancelled', 'returned')""",
            {
                "orders": str(silver / "orders" / "*" / "*.parquet"),
                "items": str(silver / "order_items" / "*" / "*.parquet"),
            },
        )
        .fetchone()[0]
    )
    assert expected == Decimal("239.50")
    assert _rows(connection, "select sum(revenue) from agg_daily_sales") == [(expected,)]


def test_summary_reports_every_node_and_the_expected_warnings(gold):
    summary, _, _ = gold
    models, tests = nodes_in_the_project("ecommerce")
    # c-9 (customer of o-5), o-q (order of a line) and p-9 (product of a line) are missing.
    assert summary["models"] == {"passed": len(models), "failed": 0, "skipped": 0}
    assert summary["tests"] == {"passed": len(tests) - 4, "failed": 0, "skipped": 0, "warned": 4}
    assert summary["mart_rows"] == {
        "agg_customer_segments": 3,
        "agg_daily_sales": 6,
        "dim_customers": 4,
        "dim_products": 2,
        "fct_orders": 6,
    }
    warned = sorted(name for name, status in summary["nodes"].items() if status == "warn")
    assert warned == [
        "relationships_fct_orders_customer_id__customer_id__ref_dim_customers_",
        "relationships_stg_ecommerce__order_items_order_id__order_id__ref_stg_ecommerce__orders_",
        "relationships_stg_ecommerce__order_items_product_id__product_id__ref_stg_ecommerce__products_",
        "relationships_stg_ecommerce__orders_customer_id__customer_id__ref_stg_ecommerce__customers_",
    ]
    assert summary["nodes"]["assert_daily_sales_revenue_reconciles_with_orders"] == "pass"
    assert summary["nodes"]["stg_orders_keeps_the_current_version_of_each_order"] == "pass"


def test_the_warehouse_is_released_for_other_processes(gold):
    """dbt-duckdb keeps its connection open after a run; build_gold must close it.

    While a process holds the file for writing, no other process can open it at all.
    """
    summary, _, _ = gold
    reader = "import duckdb, sys; duckdb.connect(sys.argv[1], read_only=True).close()"
    opened = subprocess.run(
        [sys.executable, "-c", reader, summary["warehouse"]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert opened.returncode == 0, opened.stderr


@pytest.mark.parametrize("mart", MARTS)
def test_parquet_export_equals_the_warehouse_table(gold, mart):
    _, connection, data_dir = gold
    # build_gold writes a candidate: the gold gate publishes it (test_gold_publication).
    export = data_dir / "lake" / "gold" / "_candidates" / "ecommerce" / f"{mart}.parquet"
    assert export.exists(), f"{export} was not written"
    in_warehouse = connection.execute("select * from query_table($1) order by all", [mart])
    columns = [column[0] for column in in_warehouse.description]
    warehouse_rows = in_warehouse.fetchall()
    exported = connection.execute("select * from read_parquet($1) order by all", [str(export)])
    assert [column[0] for column in exported.description] == columns
    assert exported.fetchall() == warehouse_rows
    assert len(warehouse_rows) > 0


# A status the contract does not know, as if silver had been written by an older contract.
# The silver gate checks statuses; of dbt's tests, the fct_orders mart's accepted values
# catch it.
LOST_ORDER = ("o-7", "c-1", "2026-11-02 17:00:00", "lost", None, "1.00", "2026-11-02 17:00:00")


def test_a_failing_dbt_test_raises_gold_build_error_naming_it(data_dir):
    drifted = {table: dict(deliveries) for table, deliveries in SILVER_ROWS.items()}
    drifted["orders"][DAY_2] = [*SILVER_ROWS["orders"][DAY_2], LOST_ORDER]
    write_silver(drifted)
    with pytest.raises(GoldBuildError) as failure:
        build_gold("ecommerce")
    message = str(failure.value)
    assert "accepted_values_fct_orders_status" in message
    assert "[fail]" in message and "1 failing row(s)" in message
    assert "checks: accepted_values on fct_orders.status" in message
    assert "models/ecommerce/marts/fct_orders.yml" in message
    models, _ = nodes_in_the_project("ecommerce")
    skipped = models_built_from(models, "fct_orders")
    assert failure.value.summary["tests"]["failed"] == 1
    assert failure.value.summary["models"] == {
        "passed": len(models) - len(skipped),
        "failed": 0,
        "skipped": len(skipped),
    }
    for name in skipped:
        assert name in message.split("not built (upstream failed): ")[1]


def models_built_from(models: set[str], model: str) -> set[str]:
    """The models downstream of `model` (dbt skips them when its tests fail)."""
    target, _ = dbt_run_dirs(load_settings(), "ecommerce")
    children = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["child_map"]
    found, frontier = set(), [f"model.medallion.{model}"]
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child.startswith("model.") and child.split(".")[-1] in models - found:
                found.add(child.split(".")[-1])
                frontier.append(child)
    return found


def test_an_uncommitted_silver_partition_stops_the_build_before_dbt(data_dir):
    write_silver(SILVER_ROWS)
    write_silver({"orders": {"2026-11-03": SILVER_ROWS["orders"][DAY_2]}}, commit=False)
    with pytest.raises(GoldBuildError, match=r"silver\.ecommerce\.orders.*2026-11-03"):
        build_gold("ecommerce")
    assert not (data_dir / "warehouse" / "ecommerce.duckdb").exists()


HOLD_FILE = """
import fcntl, sys, time, duckdb
if sys.argv[2] == "duckdb":
    connection = duckdb.connect(sys.argv[1])
else:
    handle = open(sys.argv[1], "w")
    fcntl.flock(handle, fcntl.LOCK_EX)
print("holding", flush=True)
time.sleep(120)
"""


@contextmanager
def held(path: Path, how: str):
    """Another process holding `path`: a DuckDB connection, or a flock."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_FILE, str(path), how], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_an_open_duckdb_shell_on_published_gold_does_not_block_the_build(data_dir):
    """A student's DuckDB shell on the warehouse used to stop the build (one writer per
    file); gold is now built beside it and published by replacing the file."""
    write_silver(SILVER_ROWS)
    build_gold("ecommerce")
    publish_gold("ecommerce", audit={})
    published = warehouse_path("ecommerce")
    with held(published, "duckdb"):
        summary = build_gold("ecommerce")
        assert publish_gold("ecommerce", audit={}) == published
    assert summary["warehouse"] == str(warehouse_path("ecommerce", candidate=True))
    with duckdb.connect(str(published), read_only=True) as connection:
        rows = connection.execute("select count(*) from fct_orders").fetchone()[0]
    assert rows == summary["mart_rows"]["fct_orders"] > 0


def test_a_second_build_of_the_same_dataset_waits_for_a_retry(data_dir):
    write_silver(SILVER_ROWS)
    lock = warehouse_path("ecommerce", candidate=True).with_suffix(".lock")
    lock.parent.mkdir(parents=True)
    with held(lock, "flock"), pytest.raises(WarehouseLockedError, match="another gold build"):
        build_gold("ecommerce")


def test_a_failed_build_leaves_published_gold_unchanged(data_dir):
    write_silver(SILVER_ROWS)
    build_gold("ecommerce")
    publish_gold("ecommerce", audit={})
    published = [warehouse_path("ecommerce"), *sorted(gold_dir("ecommerce").glob("*.parquet"))]
    before = {path: path.read_bytes() for path in published}

    drifted = {"orders": {DAY_2: [*SILVER_ROWS["orders"][DAY_2], LOST_ORDER]}}
    write_silver(drifted)
    with pytest.raises(GoldBuildError, match="Not published: readers still see the gold"):
        build_gold("ecommerce")
    assert {path: path.read_bytes() for path in published} == before
