"""The gold gate on real checkpoints: mart grains, and gold reconciled with silver.

Silver holds two deliveries. On the second, order o-2 comes again as cancelled and
customer c-2 moves region, so the figures are right only if each key's current
version is used:

    current orders     o-1 paid 25.00, o-2 cancelled, o-3 paid 5.00, o-4 paid 20.00  -> 4
    revenue            25.00 + 5.00 + 20.00 (o-2 is cancelled)                     -> 50.00
    current customers  c-1, c-2, c-3 -> 3          current products  p-1, p-2 -> 2

The gold marts below are what dbt builds from that silver, written out by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from medallion.quality.frames import MissingPartitionError
from medallion.quality.gates import validate_gold
from medallion.quality.results import GateFailedError
from medallion.quality.silver_totals import silver_figures

DAY_1, DAY_2 = "2026-11-01", "2026-11-02"
MONEY = pa.decimal128(38, 2)


def at(day: str, hour: int) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00")


def order(order_id, customer_id, status, amount, day=DAY_1, placed=DAY_1) -> dict:
    return {"order_id": order_id, "customer_id": customer_id, "order_ts": at(placed, 9),
            "status": status, "payment_method": "card", "amount": Decimal(amount),
            "updated_at": at(day, 10)}  # fmt: skip


def line(order_id, number, product_id, quantity, unit_price, day=DAY_1) -> dict:
    return {"order_id": order_id, "line_number": number, "product_id": product_id,
            "quantity": quantity, "unit_price": Decimal(unit_price), "updated_at": at(day, 9)}  # fmt: skip


def customer(customer_id, segment, region, day=DAY_1) -> dict:
    return {"customer_id": customer_id, "full_name": customer_id, "segment": segment,
            "region": region, "signup_date": date(2026, 1, 1), "updated_at": at(day, 8)}  # fmt: skip


def product(product_id, category, price) -> dict:
    return {"product_id": product_id, "product_name": product_id, "category": category,
            "unit_cost": Decimal("1.00"), "list_price": Decimal(price), "updated_at": at(DAY_1, 7)}  # fmt: skip


@pytest.fixture
def silver(lake):
    lake.delivery(
        "orders",
        DAY_1,
        [
            order("o-1", "c-1", "paid", "25.00"),
            order("o-2", "c-2", "placed", "10.00"),
            order("o-3", "c-1", "paid", "5.00"),
        ],
    )
    lake.delivery(
        "order_items",
        DAY_1,
        [
            line("o-1", 1, "p-1", 2, "10.00"),
            line("o-1", 2, "p-2", 1, "5.00"),
            line("o-2", 1, "p-1", 1, "10.00"),
            line("o-3", 1, "p-2", 1, "5.00"),
        ],
    )
    lake.delivery(
        "customers",
        DAY_1,
        [
            customer("c-1", "consumer", "north"),
            customer("c-2", "corporate", "south"),
        ],
    )
    lake.delivery(
        "products", DAY_1, [product("p-1", "books", "10.00"), product("p-2", "home", "5.00")]
    )
    lake.delivery(
        "orders",
        DAY_2,
        [
            order("o-2", "c-2", "cancelled", "10.00", day=DAY_2),
            order("o-4", "c-2", "paid", "20.00", day=DAY_2, placed=DAY_2),
        ],
    )
    lake.delivery("order_items", DAY_2, [line("o-4", 1, "p-1", 2, "10.00", day=DAY_2)])
    lake.delivery(
        "customers",
        DAY_2,
        [
            customer("c-2", "corporate", "east", day=DAY_2),
            customer("c-3", "small_business", "west", day=DAY_2),
        ],
    )
    lake.delivery("products", DAY_2, [])  # no catalogue change: an empty, committed partition
    return lake  # fmt: skip


FCT_ORDERS = {"order_id": pa.string(), "order_date": pa.date32(), "status": pa.string(),
              "is_revenue": pa.bool_(), "amount": MONEY, "items_revenue": MONEY}  # fmt: skip
DIM_CUSTOMERS = {"customer_id": pa.string(), "segment": pa.string(), "lifetime_revenue": MONEY}
DIM_PRODUCTS = {"product_id": pa.string(), "category": pa.string(), "revenue": MONEY}
AGG_DAILY_SALES = {"order_date": pa.date32(), "category": pa.string(), "region": pa.string(),
                   "segment": pa.string(), "revenue": MONEY, "order_count": pa.int64()}  # fmt: skip
AGG_CUSTOMER_SEGMENTS = {"segment": pa.string(), "value_tier": pa.string(),
                         "customer_count": pa.int64(), "revenue": MONEY}  # fmt: skip


def fct_orders() -> list[dict]:
    def row(order_id, day, status, amount):
        revenue = status != "cancelled"
        return {"order_id": order_id, "order_date": date.fromisoformat(day), "status": status,
                "is_revenue": revenue, "amount": Decimal(amount), "items_revenue": Decimal(amount)}  # fmt: skip

    return [row("o-1", DAY_1, "paid", "25.00"), row("o-2", DAY_1, "cancelled", "10.00"),
            row("o-3", DAY_1, "paid", "5.00"), row("o-4", DAY_2, "paid", "20.00")]  # fmt: skip


def agg_daily_sales() -> list[dict]:
    def row(day, category, region, segment, revenue, orders):
        return {"order_date": date.fromisoformat(day), "category": category, "region": region,
                "segment": segment, "revenue": Decimal(revenue), "order_count": orders}  # fmt: skip

    return [row(DAY_1, "books", "north", "consumer", "20.00", 1),
            row(DAY_1, "home", "north", "consumer", "10.00", 2),
            row(DAY_2, "books", "east", "corporate", "20.00", 1)]  # fmt: skip


def write_gold(lake, fct=None, daily_sales=None) -> None:
    lake.gold("fct_orders", fct_orders() if fct is None else fct, FCT_ORDERS)
    lake.gold(
        "dim_customers",
        [
            {"customer_id": "c-1", "segment": "consumer", "lifetime_revenue": Decimal("30.00")},
            {"customer_id": "c-2", "segment": "corporate", "lifetime_revenue": Decimal("20.00")},
            {"customer_id": "c-3", "segment": "small_business", "lifetime_revenue": Decimal("0")},
        ],
        DIM_CUSTOMERS,
    )
    lake.gold(
        "dim_products",
        [
            {"product_id": "p-1", "category": "books", "revenue": Decimal("40.00")},
            {"product_id": "p-2", "category": "home", "revenue": Decimal("10.00")},
        ],
        DIM_PRODUCTS,
    )
    lake.gold(
        "agg_daily_sales",
        agg_daily_sales() if daily_sales is None else daily_sales,
        AGG_DAILY_SALES,
    )
    lake.gold("agg_customer_segments", [
        {"segment": "consumer", "value_tier": "low", "customer_count": 1, "revenue": Decimal("30.00")},
        {"segment": "corporate", "value_tier": "low", "customer_count": 1, "revenue": Decimal("20.00")},
        {"segment": "small_business", "value_tier": "none", "customer_count": 1, "revenue": Decimal("0")},
    ], AGG_CUSTOMER_SEGMENTS)  # fmt: skip


def failed(gate_failure) -> set[tuple[str, str, str]]:
    """(mart check, expectation, first column) of every failed expectation."""
    return {
        (failure.check, failure.expectation, (failure.columns or [""])[0])
        for failure in gate_failure.value.result.failures
    }


def test_silver_figures_use_the_current_version_of_each_key(silver):
    assert silver_figures("ecommerce") == {
        "current_orders": 4,
        "current_customers": 3,
        "current_products": 2,
        "revenue": Decimal("50.00"),
    }


def test_gold_built_from_silver_passes(silver):
    write_gold(silver)

    result = validate_gold("ecommerce", DAY_2)

    assert (result.success, result.table, result.rows) == (True, "marts", 4 + 3 + 2 + 3 + 3)
    assert len(result.checks) == 5 and result.passed == result.evaluated


def test_duplicate_order_in_fct_orders_fails_the_grain(silver):
    write_gold(silver, fct=[*fct_orders(), fct_orders()[0]])

    with pytest.raises(GateFailedError) as failure:
        validate_gold("ecommerce", DAY_2)

    assert failed(failure) == {
        ("gold.ecommerce.fct_orders", "expect_column_values_to_be_unique", "order_id")
    }


def test_revenue_different_from_silver_fails_the_reconciliation(silver):
    sales = agg_daily_sales()
    sales[0]["revenue"] = Decimal("25.00")  # 5.00 too much
    write_gold(silver, daily_sales=sales)

    with pytest.raises(GateFailedError) as failure:
        validate_gold("ecommerce", DAY_2)

    assert failed(failure) == {
        ("gold.ecommerce.agg_daily_sales", "expect_column_sum_to_be_between", "revenue")
    }
    assert "(min_value=49.99, max_value=50.01): observed 55.00" in str(failure.value)


def test_gold_missing_a_current_order_fails_the_order_count(silver):
    write_gold(silver, fct=fct_orders()[:3])  # built before the second delivery

    with pytest.raises(GateFailedError) as failure:
        validate_gold("ecommerce", DAY_2)

    assert failed(failure) == {
        ("gold.ecommerce.fct_orders", "expect_column_unique_value_count_to_be_between", "order_id")
    }
    assert "observed 3" in str(failure.value)


def test_duplicate_daily_sales_group_fails_the_compound_grain(silver):
    sales = agg_daily_sales()
    halves = [{**sales[1], "revenue": Decimal("5.00")}, {**sales[1], "revenue": Decimal("5.00")}]
    write_gold(silver, daily_sales=[sales[0], *halves, sales[2]])  # same revenue, split in two

    with pytest.raises(GateFailedError) as failure:
        validate_gold("ecommerce", DAY_2)

    assert failed(failure) == {
        ("gold.ecommerce.agg_daily_sales", "expect_compound_columns_to_be_unique", "order_date")
    }


def test_missing_mart_export_is_reported_before_any_check(silver):
    with pytest.raises(MissingPartitionError, match="fct_orders.parquet"):
        validate_gold("ecommerce", DAY_2)
