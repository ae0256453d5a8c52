"""The silver rules on inline bronze rows: every row ends in silver or quarantine."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from medallion.contracts import parse_contract
from spark.schemas import CORRUPT_RECORD
from spark.transforms.refine import REJECT_REASON, flag_rows, select_quarantine, select_silver

pytestmark = pytest.mark.spark

CONTRACT_RAW = {
    "dataset": "shop",
    "table": "orders",
    "source": {"folder": "orders", "format": "csv"},
    "primary_key": ["order_id"],
    "version_column": "updated_at",
    "columns": [
        {"name": "order_id", "type": "string", "nullable": False},
        {
            "name": "status",
            "type": "string",
            "nullable": False,
            "normalize": "lower",
            "accepted_values": ["placed", "shipped"],
        },
        {"name": "amount", "type": "decimal(12,2)", "nullable": False, "min": 0},
        {"name": "note", "type": "string"},
        {"name": "updated_at", "type": "timestamp", "nullable": False},
    ],
}
CONTRACT = parse_contract(CONTRACT_RAW)
BRONZE_COLUMNS = [
    "order_id",
    "status",
    "amount",
    "note",
    "updated_at",
    CORRUPT_RECORD,
    "_ingested_at",
    "_source_file",
    "_row_hash",
    "ingest_date",
]


def bronze_rows(spark, rows):
    """Bronze-shaped rows; the row hash is the delivered values joined, like ingest does."""
    full = [
        (
            *row,
            None,
            datetime(2026, 11, 1),
            "orders/2026-11-01/a.csv",
            "|".join(map(str, row)),
            "2026-11-01",
        )
        for row in rows
    ]
    schema = ", ".join(f"{name} string" for name in BRONZE_COLUMNS).replace(
        "_ingested_at string", "_ingested_at timestamp"
    )
    return spark.createDataFrame(full, schema)


def outcome(spark, rows):
    flagged = flag_rows(bronze_rows(spark, rows), CONTRACT)
    silver = select_silver(flagged, CONTRACT).collect()
    quarantine = select_quarantine(flagged, BRONZE_COLUMNS).collect()
    return silver, quarantine


def test_valid_row_is_cleaned_and_typed(spark):
    silver, quarantine = outcome(spark, [("A1", "  Shipped ", "12.50", "", "2026-11-01 10:00:00")])
    assert quarantine == []
    [row] = silver
    assert row["status"] == "shipped"
    assert row["amount"] == Decimal("12.50")
    assert row["note"] is None
    assert row["updated_at"] == datetime(2026, 11, 1, 10, 0, 0)
    assert row["ingest_date"] == "2026-11-01"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (("", "placed", "1.00", None, "2026-11-01 10:00:00"), "missing_value:order_id"),
        (("A2", "on_hold", "1.00", None, "2026-11-01 10:00:00"), "not_in_accepted_values:status"),
        (("A3", "placed", "-4.00", None, "2026-11-01 10:00:00"), "out_of_range:amount"),
        (("A4", "placed", "12,50", None, "2026-11-01 10:00:00"), "invalid_type:amount"),
        (("A5", "placed", "1.00", None, "yesterday"), "invalid_type:updated_at"),
        (("A6", "   ", "n/a", None, "2026-11-01 10:00:00"), "missing_value:status"),
    ],
)
def test_broken_rule_sends_row_to_quarantine_with_reason(spark, row, reason):
    silver, quarantine = outcome(spark, [row])
    assert silver == []
    [rejected] = quarantine
    assert rejected[REJECT_REASON] == reason
    # The quarantine keeps the row exactly as delivered.
    assert [rejected[name] for name in ("order_id", "status", "amount")] == list(row[:3])


def test_unparseable_row_is_quarantined(spark):
    full = bronze_rows(spark, [("B1", "placed", "1.00", None, "2026-11-01 10:00:00")])
    broken = full.withColumn(CORRUPT_RECORD, full["order_id"])
    flagged = flag_rows(broken, CONTRACT)
    [rejected] = select_quarantine(flagged, BRONZE_COLUMNS).collect()
    assert rejected[REJECT_REASON] == "unparseable_row"


def test_a_repeated_header_line_has_its_own_reason(spark):
    rows = [
        ("H1", "placed", "1.00", None, "2026-11-01 10:00:00"),
        ("order_id", "status", "amount", "note", " updated_at "),
        # The same words, but not every column: an ordinary invalid row.
        ("order_id", "status", "amount", None, "updated_at"),
    ]
    silver, quarantine = outcome(spark, rows)
    assert [row["order_id"] for row in silver] == ["H1"]
    assert sorted(row[REJECT_REASON] for row in quarantine) == [
        "invalid_type:amount",
        "repeated_header",
    ]


def test_exact_copies_and_older_versions_are_quarantined_latest_kept(spark):
    rows = [
        ("C1", "placed", "5.00", None, "2026-11-01 08:00:00"),
        ("C1", "shipped", "5.00", None, "2026-11-01 09:00:00"),
        ("C1", "shipped", "5.00", None, "2026-11-01 09:00:00"),
        ("C2", "placed", "7.00", None, "2026-11-01 08:00:00"),
    ]
    silver, quarantine = outcome(spark, rows)
    assert sorted((row["order_id"], row["status"]) for row in silver) == [
        ("C1", "shipped"),
        ("C2", "placed"),
    ]
    assert sorted(row[REJECT_REASON] for row in quarantine) == [
        "duplicate_row",
        "superseded_in_delivery",
    ]
    assert len(silver) + len(quarantine) == len(rows)


def test_invalid_copy_does_not_displace_valid_row(spark):
    rows = [
        ("D1", "placed", "5.00", None, "2026-11-01 08:00:00"),
        ("D1", "placed", "-5.00", None, "2026-11-01 09:00:00"),
    ]
    silver, quarantine = outcome(spark, rows)
    assert [row["amount"] for row in silver] == [Decimal("5.00")]
    assert [row[REJECT_REASON] for row in quarantine] == ["out_of_range:amount"]


def test_the_contracts_null_values_are_read_as_null(spark):
    # An R export: NA where a value is missing; "-" for no note.
    contract = parse_contract(
        {
            **{key: value for key, value in CONTRACT_RAW.items() if key != "source"},
            "source": {"folder": "orders", "format": "csv", "null_values": ["NA", "-"]},
        }
    )
    rows = [
        ("A1", "placed", "12.50", " - ", "2026-11-01 10:00:00"),  # padded, still a token
        ("A2", "placed", "NA", "NA", "2026-11-01 10:00:00"),  # amount is required
        ("A3", "placed", "na", None, "2026-11-01 10:00:00"),  # tokens match exactly
    ]
    flagged = flag_rows(bronze_rows(spark, rows), contract)
    silver = {row["order_id"]: row for row in select_silver(flagged, contract).collect()}
    quarantine = {
        row["order_id"]: row[REJECT_REASON]
        for row in select_quarantine(flagged, BRONZE_COLUMNS).collect()
    }

    assert silver["A1"]["note"] is None
    assert quarantine == {"A2": "missing_value:amount", "A3": "invalid_type:amount"}
