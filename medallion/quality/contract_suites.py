"""The expectations of the bronze and silver gates, derived from a data contract.

Each function returns Great Expectations expectation objects for one table. They are
written to `great_expectations/expectations/` by `python -m medallion.quality.build_suites`,
so a change to a contract shows up as a reviewable change to the committed suites.

Values only known at run time are suite parameters (`{"$PARAMETER": name}`), filled in
by the gate: `source_rows` and `min_rows` (bronze) and `validation_time` (silver).
"""

from __future__ import annotations

from decimal import Decimal

from medallion.contracts import Contract
from medallion.quality.business_rules import business_rules
from medallion.quality.frames import CORRUPT_RECORD, DEDUPLICATION_REASONS, LINEAGE_COLUMNS

# Type names Great Expectations reports for our pandas columns (medallion.quality.frames).
_PANDAS_TYPE_NAMES = {
    "string": "str",
    "integer": "int",
    "long": "int",
    "double": "float",
    "boolean": "bool",
    "date": "date",
    "timestamp": "Timestamp",
}


def bronze_expectations(contract: Contract) -> list:
    """Bronze: every column arrived, the delivery is not empty, no row was lost on the way."""
    import great_expectations.expectations as gxe

    columns = [*contract.column_names, CORRUPT_RECORD, *LINEAGE_COLUMNS]
    return [
        *[gxe.ExpectColumnToExist(column=name) for name in columns],
        gxe.ExpectTableRowCountToBeBetween(
            min_value={"$PARAMETER": "min_rows"},
            description=(
                "The delivery is not empty: `min_rows` is 1, or 0 when the contract says "
                "`allow_empty: true`."
            ),
        ),
        gxe.ExpectTableRowCountToEqual(
            value={"$PARAMETER": "source_rows"},
            description=(
                "Bronze holds every row of the landing files: `source_rows`, counted from "
                "the files by the ingest job, in the partition's _COMMITTED.json."
            ),
        ),
        *[gxe.ExpectColumnValuesToNotBeNull(column=name) for name in LINEAGE_COLUMNS],
    ]


def silver_expectations(contract: Contract) -> list:
    """Silver: the contract's columns, types, keys, accepted values and ranges hold."""
    import great_expectations.expectations as gxe

    expectations = [
        gxe.ExpectColumnToExist(column=name) for name in [*contract.column_names, *LINEAGE_COLUMNS]
    ]
    for column in contract.columns:
        expectations.append(
            gxe.ExpectColumnValuesToBeOfType(column=column.name, type_=_pandas_type(column.type))
        )
    for name in contract.required_columns:
        expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=name))
    expectations.append(_unique_key(contract))
    for column in contract.columns:
        if column.accepted_values:
            expectations.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=column.name, value_set=list(column.accepted_values)
                )
            )
        if column.min is not None or column.max is not None:
            expectations.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=column.name,
                    min_value=_json_number(column.min),
                    max_value=_json_number(column.max),
                )
            )
    if contract.event_time_column:
        event_time = contract.column(contract.event_time_column)
        now = "validation_date" if event_time.type == "date" else "validation_time"
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=contract.event_time_column,
                max_value={"$PARAMETER": now},
                description=f"`{contract.event_time_column}` is not in the future.",
            )
        )
    expectations.extend(
        rule.expectation() for rule in business_rules(contract.dataset, contract.table)
    )
    return expectations


def silver_reconciliation_expectations(contract: Contract) -> list:
    """The row accounting of one delivery: nothing lost, not too much rejected, and not
    too much removed by de-duplication."""
    import great_expectations.expectations as gxe

    share = contract.max_quarantine_share
    return [
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="silver_plus_quarantined_rows",
            column_B="bronze_rows",
            description=(
                "silver + quarantine = bronze: every bronze row of the delivery is in "
                "silver or in quarantine."
            ),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rejected_share",
            min_value=0,
            max_value=share,
            description=(
                f"At most {share:.0%} of the delivery's bronze rows break a contract rule "
                f"(max_quarantine_share). Rows quarantined as {' or '.join(DEDUPLICATION_REASONS)} "
                "are expected and do not count."
            ),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="deduplicated_share",
            min_value=0,
            max_value=contract.max_deduplicated_share,
            description=(
                f"At most {contract.max_deduplicated_share:.0%} of the delivery's bronze rows "
                f"are removed as exact copies or older versions of a key "
                f"{list(contract.primary_key)} ({' or '.join(DEDUPLICATION_REASONS)}; "
                "max_deduplicated_share). More means a wrong primary key or a file "
                "delivered several times over."
            ),
        ),
    ]


def _unique_key(contract: Contract):
    """One row per primary key within a delivery."""
    import great_expectations.expectations as gxe

    if len(contract.primary_key) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=contract.primary_key[0])
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=list(contract.primary_key))


def _pandas_type(contract_type: str) -> str:
    if contract_type.startswith("decimal"):
        return "Decimal"
    return _PANDAS_TYPE_NAMES[contract_type]


def _json_number(value: Decimal | None) -> int | float | None:
    """A contract bound as a JSON number (suites are JSON files)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
