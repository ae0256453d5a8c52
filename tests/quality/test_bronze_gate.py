"""The bronze gate on real checkpoints: a clean delivery passes, broken ones fail by name."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from medallion.quality.gates import validate_bronze
from medallion.quality.results import GateFailedError, record_path

DS = "2026-11-01"


def orders(count: int) -> list[dict]:
    return [
        {
            "order_id": f"o-{number}",
            "customer_id": "c-1",
            "order_ts": datetime(2026, 11, 1, 9, number),
            "status": " Paid ",
            "payment_method": "card",
            "amount": Decimal("12.50"),
            "updated_at": datetime(2026, 11, 1, 9, number),
        }
        for number in range(count)
    ]


def test_clean_delivery_passes_and_is_recorded(lake):
    lake.bronze("orders", DS, orders(3))

    result = validate_bronze("ecommerce", "orders", DS)

    assert (result.success, result.rows, result.passed) == (True, 3, result.evaluated)
    # 7 contract columns + _corrupt_record + 3 lineage columns exist, not empty,
    # row count = source, 3 lineage columns not null.
    assert result.evaluated == 11 + 1 + 1 + 3
    record = json.loads(record_path("bronze", "ecommerce", "orders", DS).read_text())
    assert (record["success"], record["success_ratio"], record["failures"]) == (True, 1.0, [])


def test_missing_contract_column_fails_naming_it(lake):
    lake.bronze("orders", DS, orders(3), drop_columns=("payment_method",))

    with pytest.raises(GateFailedError) as failure:
        validate_bronze("ecommerce", "orders", DS)

    message = str(failure.value)
    assert "bronze gate failed for ecommerce.orders, delivery 2026-11-01" in message
    assert "expect_column_to_exist on payment_method" in message
    assert [f.expectation for f in failure.value.result.failures] == ["expect_column_to_exist"]
    (page,) = failure.value.result.data_docs
    assert Path(page).is_file() and page in message


def test_rows_lost_between_landing_and_bronze_fail_the_row_count(lake):
    lake.bronze("orders", DS, orders(3), source_rows=5)

    with pytest.raises(GateFailedError) as failure:
        validate_bronze("ecommerce", "orders", DS)

    (lost,) = failure.value.result.failures
    assert (lost.expectation, lost.arguments["value"], lost.observed) == (
        "expect_table_row_count_to_equal",
        "5",
        "3",
    )
    assert "expect_table_row_count_to_equal (value=5)" in str(failure.value)
    record = json.loads(record_path("bronze", "ecommerce", "orders", DS).read_text())
    assert (record["success"], record["evaluated"] - record["passed"]) == (False, 1)


def test_empty_delivery_fails_as_empty_only(lake):
    lake.bronze("orders", DS, [])

    with pytest.raises(GateFailedError) as failure:
        validate_bronze("ecommerce", "orders", DS)

    assert [f.expectation for f in failure.value.result.failures] == [
        "expect_table_row_count_to_be_between"
    ]
