"""The silver gate on real checkpoints: contract rules, business rules, row accounting."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from medallion.quality.frames import MissingPartitionError
from medallion.quality.gates import validate_silver
from medallion.quality.results import GateFailedError, record_path

DS = "2026-11-01"
ORDERS = 20  # 1 rejected row in 21 is 4.8%: under the contracts' 5% limit


def order(number: int, **changes) -> dict:
    """An order of DS whose two lines (see `lines`) add up to its amount, 12.50."""
    return {
        "order_id": f"o-{number:02d}",
        "customer_id": f"c-{number % 3}",
        "order_ts": datetime(2026, 11, 1, 8, number),
        "status": "paid",
        "payment_method": "card",
        "amount": Decimal("12.50"),
        "updated_at": datetime(2026, 11, 1, 9, number),
        **changes,
    }


def lines(number: int) -> list[dict]:
    line = {"order_id": f"o-{number:02d}", "updated_at": datetime(2026, 11, 1, 8, number)}
    return [
        {
            **line,
            "line_number": 1,
            "product_id": "p-1",
            "quantity": 2,
            "unit_price": Decimal("5.00"),
        },
        {
            **line,
            "line_number": 2,
            "product_id": "p-2",
            "quantity": 1,
            "unit_price": Decimal("2.50"),
        },
    ]


def rejected(row: dict, reason: str) -> dict:
    return {**row, "_reject_reason": reason}


def deliver_orders(lake, silver=None, quarantined=(), items=None, rejected_items=()):
    """A delivery of DS: ORDERS clean orders with their lines unless told otherwise."""
    silver = [order(number) for number in range(1, ORDERS + 1)] if silver is None else silver
    if items is None:
        items = [line for number in range(1, ORDERS + 1) for line in lines(number)]
    lake.delivery("orders", DS, silver, list(quarantined))
    lake.delivery("order_items", DS, items, list(rejected_items))


def failed(gate_failure) -> set[tuple[str, str]]:
    """(expectation, first column) of every failed expectation."""
    return {
        (failure.expectation, (failure.columns or [""])[0])
        for failure in gate_failure.value.result.failures
    }


def test_clean_delivery_passes_and_deduplication_is_not_a_rejection(lake):
    deliver_orders(
        lake,
        quarantined=[
            rejected(order(1, amount="-3.00"), "out_of_range:amount"),
            rejected(order(2), "duplicate_row"),
            rejected(order(3, status="placed", updated_at=datetime(2026, 11, 1, 8)),
                     "superseded_in_delivery"),
        ],
    )  # fmt: skip

    result = validate_silver("ecommerce", "orders", DS)

    assert result.success and result.rows == ORDERS
    assert result.checks == ["silver.ecommerce.orders", "silver_reconciliation.ecommerce.orders"]
    record = json.loads(record_path("silver", "ecommerce", "orders", DS).read_text())
    assert (record["success_ratio"], record["evaluated"]) == (1.0, result.evaluated)


def test_duplicate_key_fails_uniqueness(lake):
    deliver_orders(lake, silver=[order(number) for number in (1, 2, 2, *range(3, ORDERS))])

    with pytest.raises(GateFailedError) as failure:
        validate_silver("ecommerce", "orders", DS)

    assert failed(failure) == {("expect_column_values_to_be_unique", "order_id")}
    assert "2 of 20 rows unexpected, e.g. 'o-02'" in str(failure.value)


def test_negative_amount_fails_the_contract_range(lake):
    # A status update: its lines came on an earlier day, so only the range applies.
    update = order(30, amount=Decimal("-1.00"), order_ts=datetime(2026, 10, 30, 8))
    deliver_orders(lake, silver=[*[order(number) for number in range(1, ORDERS)], update])

    with pytest.raises(GateFailedError) as failure:
        validate_silver("ecommerce", "orders", DS)

    assert failed(failure) == {("expect_column_values_to_be_between", "amount")}
    assert "on amount (min_value=0): 1 of 20 rows unexpected, e.g. -1.00" in str(failure.value)


def test_status_outside_the_contract_fails_accepted_values(lake):
    deliver_orders(lake, silver=[order(1, status="on_hold"), *map(order, range(2, ORDERS + 1))])

    with pytest.raises(GateFailedError) as failure:
        validate_silver("ecommerce", "orders", DS)

    assert failed(failure) == {("expect_column_values_to_be_in_set", "status")}
    assert "e.g. 'on_hold'" in str(failure.value)


def test_amount_not_matching_items_fails_the_business_rule(lake):
    # o-04 is a cent off (tolerated), o-05 two cents (not). o-06 is a euro off, but one
    # of its lines was rejected, so its total cannot be known and the rule skips it.
    amounts = {4: "12.51", 5: "12.52", 6: "13.50"}
    silver = [
        order(number, amount=Decimal(amounts.get(number, "12.50")))
        for number in range(1, ORDERS + 1)
    ]
    items = [line for number in range(1, ORDERS + 1) for line in lines(number)]
    broken_line = items.pop(2 * 6 - 1)  # o-06, line 2
    deliver_orders(
        lake,
        silver=silver,
        items=items,
        rejected_items=[rejected({**broken_line, "quantity": 0}, "out_of_range:quantity")],
    )

    with pytest.raises(GateFailedError) as failure:
        validate_silver("ecommerce", "orders", DS)

    (mismatch,) = failure.value.result.failures
    assert (mismatch.columns, mismatch.unexpected_count) == (["_amount_minus_items_total"], 1)
    assert mismatch.examples == ["0.02"]


def test_rows_missing_from_silver_and_quarantine_fail_the_reconciliation(lake):
    deliver_orders(lake)
    lake.silver("orders", DS, [order(number) for number in range(1, ORDERS - 1)])

    with pytest.raises(GateFailedError) as failure:
        validate_silver("ecommerce", "orders", DS)

    assert failed(failure) == {
        ("expect_column_pair_values_to_be_equal", "silver_plus_quarantined_rows")
    }
    assert "e.g. (18, 20)" in str(failure.value)
    assert "silver + quarantine = bronze" in str(failure.value)


def test_quarantine_share_above_the_contract_limit_fails(lake):
    deliver_orders(
        lake,
        quarantined=[
            rejected(order(41, amount="-3.00"), "out_of_range:amount"),
            rejected(order(42, status="on_hold"), "not_in_accepted_values:status"),
        ],
    )

    with pytest.raises(GateFailedError) as failure:
        validate_silver("ecommerce", "orders", DS)

    assert failed(failure) == {("expect_column_values_to_be_between", "rejected_share")}
    assert "(min_value=0, max_value=0.05)" in str(failure.value)
    assert "e.g. 0.090909" in str(failure.value)


def test_compound_key_duplicate_fails_on_order_items(lake):
    items = [line for number in range(1, ORDERS + 1) for line in lines(number)]
    lake.delivery("order_items", DS, [*items, {**items[0], "product_id": "p-9"}])

    with pytest.raises(GateFailedError) as failure:
        validate_silver("ecommerce", "order_items", DS)

    assert failed(failure) == {("expect_compound_columns_to_be_unique", "order_id")}


def test_event_in_the_future_fails(lake):
    def event(number: int, when: datetime) -> dict:
        return {"event_id": f"e-{number}", "session_id": "s-1", "event_type": "page_view",
                "event_ts": when}  # fmt: skip

    events = [event(number, datetime(2026, 11, 1, 10, number)) for number in range(ORDERS)]
    lake.delivery("events", DS, [*events, event(99, datetime(2200, 1, 1))])

    with pytest.raises(GateFailedError) as failure:
        validate_silver("ecommerce", "events", DS)

    assert failed(failure) == {("expect_column_values_to_be_between", "event_ts")}
    assert "2200-01-01" in str(failure.value)


def test_wrongly_typed_column_fails_the_type_check(lake):
    customer = {"customer_id": "c-1", "segment": "consumer", "region": "north",
                "signup_date": "2026-01-01", "updated_at": datetime(2026, 11, 1)}  # fmt: skip
    lake.bronze("customers", DS, [customer])
    lake.silver("customers", DS, [customer], types={"signup_date": pa.string()})
    lake.quarantine("customers", DS, [])

    with pytest.raises(GateFailedError) as failure:
        validate_silver("ecommerce", "customers", DS)

    assert failed(failure) == {("expect_column_values_to_be_of_type", "signup_date")}


def test_orders_gate_needs_the_order_items_of_the_same_delivery(lake):
    lake.delivery("orders", DS, [order(number) for number in range(1, ORDERS + 1)])

    with pytest.raises(MissingPartitionError, match="silver.ecommerce.order_items"):
        validate_silver("ecommerce", "orders", DS)


def items_delivery(lake, quarantined: list[dict]) -> None:
    """The order lines of ORDERS orders (2 each), plus rows quarantined from them."""
    items = [line for number in range(1, ORDERS + 1) for line in lines(number)]
    lake.delivery("order_items", DS, items, quarantined)


def test_deduplication_under_the_default_limit_passes(lake):
    # 4 of 44 bronze lines (9.1%) removed as copies or older versions: under the 10% default.
    first, second = lines(1)
    items_delivery(lake, [rejected(first, "duplicate_row")] * 2 + [
        rejected({**second, "updated_at": datetime(2026, 11, 1, 7, minute)},
                 "superseded_in_delivery")
        for minute in range(2)
    ])  # fmt: skip

    assert validate_silver("ecommerce", "order_items", DS).success


def test_deduplication_above_the_limit_fails_naming_key_counts_and_keys(lake):
    # A wrong key, or a file delivered again: 6 of 46 bronze lines (13.0%) removed.
    first, second = lines(1)
    superseded = [
        rejected({**second, "updated_at": datetime(2026, 11, 1, 7, minute)},
                 "superseded_in_delivery")
        for minute in range(5)
    ]  # fmt: skip
    items_delivery(lake, [*superseded, rejected(first, "duplicate_row")])

    with pytest.raises(GateFailedError) as failure:
        validate_silver("ecommerce", "order_items", DS)

    assert failed(failure) == {("expect_column_values_to_be_between", "deduplicated_share")}
    message = str(failure.value)
    key = "['order_id', 'line_number']"
    assert f"primary key {key} removed 6 of 46 bronze rows (13.0%" in message
    assert "1 duplicate_row, 5 superseded_in_delivery" in message
    assert "allows 10% (max_deduplicated_share)" in message
    assert (
        "{'order_id': 'o-01', 'line_number': '2'} (5 rows), "
        "{'order_id': 'o-01', 'line_number': '1'} (1 row)"
    ) in message


def test_the_orders_contract_allows_one_resent_file(lake):
    # ecommerce/orders.yml sets max_deduplicated_share: 0.6 (a whole file sent twice).
    copies = [rejected(order(number), "duplicate_row") for number in range(1, ORDERS + 1)]
    deliver_orders(lake, quarantined=copies)

    assert validate_silver("ecommerce", "orders", DS).success
