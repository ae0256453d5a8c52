"""Bronze rows -> silver rows and quarantined rows, by the rules of the data contract.

Each bronze row is checked against the contract; the first rule it breaks becomes its
`_reject_reason`. Rows breaking no rule are de-duplicated within the delivery; what
survives is silver, everything else is quarantined with its reason, so
silver + quarantine = bronze, row for row.

Reject reasons, in the order they are checked:
    unparseable_row               the parser could not split the line into columns
    repeated_header               a CSV header line again inside the file (files joined
                                  with their headers): the column names, not data
    missing_value:<column>        a required column is empty
    invalid_type:<column>         the value does not parse as the contract type
    not_in_accepted_values:<column>
    out_of_range:<column>         below `min` or above `max`
    duplicate_row                 an exact copy of a row already kept
    superseded_in_delivery        an older version of a key delivered in the same file set
"""

from __future__ import annotations

from functools import reduce

from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from medallion.contracts import Column, Contract
from medallion.lake import PARTITION_COLUMN
from spark.schemas import CORRUPT_RECORD, spark_type
from spark.transforms.ingest import METADATA_COLUMNS

TYPED = "_typed"
REJECT_REASON = "_reject_reason"


def clean_value(column: Column, null_values: tuple[str, ...] = ()) -> SparkColumn:
    """A delivered string trimmed, case normalised, and null when it is empty or one of
    the contract's `null_values` (the source's "no value" texts: NA, NULL, -)."""
    trimmed = F.trim(F.col(column.name))
    value = F.when(~trimmed.isin("", *null_values), trimmed)
    if column.normalize == "lower":
        value = F.lower(value)
    elif column.normalize == "upper":
        value = F.upper(value)
    return value


def add_typed_values(bronze: DataFrame, contract: Contract) -> DataFrame:
    """Add `_typed`: a struct with every contract column cleaned and cast to its type.

    The raw columns stay untouched for the quarantine; a value that does not parse
    becomes null in `_typed` (try_cast) and is caught by the type rule below.
    """
    typed_fields = [
        clean_value(column, contract.null_values)
        .try_cast(spark_type(column.type))
        .alias(column.name)
        for column in contract.columns
    ]
    return bronze.withColumn(TYPED, F.struct(*typed_fields))


def is_repeated_header(contract: Contract) -> SparkColumn:
    """A row whose every value is its column's name as the file's header writes it."""
    matches = [
        F.trim(F.col(column.name)) == F.lit(column.source_name or column.name)
        for column in contract.columns
    ]
    return reduce(lambda left, right: left & right, matches)


def _rule_checks(contract: Contract) -> list[SparkColumn]:
    """One `when(broken, reason)` per rule, in the order the module docstring lists."""
    checks = [F.when(F.col(CORRUPT_RECORD).isNotNull(), F.lit("unparseable_row"))]
    if contract.source_format == "csv":
        checks.append(F.when(is_repeated_header(contract), F.lit("repeated_header")))
    for column in contract.columns:
        if not column.nullable:
            checks.append(
                F.when(
                    clean_value(column, contract.null_values).isNull(),
                    F.lit(f"missing_value:{column.name}"),
                )
            )
    for column in contract.columns:
        if column.type != "string":
            broken = (
                clean_value(column, contract.null_values).isNotNull()
                & F.col(f"{TYPED}.{column.name}").isNull()
            )
            checks.append(F.when(broken, F.lit(f"invalid_type:{column.name}")))
    for column in contract.columns:
        if column.accepted_values:
            typed = F.col(f"{TYPED}.{column.name}")
            broken = typed.isNotNull() & ~typed.isin(list(column.accepted_values))
            checks.append(F.when(broken, F.lit(f"not_in_accepted_values:{column.name}")))
    for column in contract.columns:
        typed = F.col(f"{TYPED}.{column.name}")
        if column.min is not None:
            checks.append(F.when(typed < F.lit(column.min), F.lit(f"out_of_range:{column.name}")))
        if column.max is not None:
            checks.append(F.when(typed > F.lit(column.max), F.lit(f"out_of_range:{column.name}")))
    return checks


def add_reject_reason(typed: DataFrame, contract: Contract) -> DataFrame:
    """Add `_reject_reason`: the first contract rule the row breaks, or null."""
    return typed.withColumn(REJECT_REASON, F.coalesce(*_rule_checks(contract)))


def flag_duplicates(checked: DataFrame, contract: Contract) -> DataFrame:
    """Among rows that passed every rule, keep one row per primary key: the latest version.

    Exact copies of a row become `duplicate_row`; older versions of a key delivered on the
    same day become `superseded_in_delivery`. Ties are broken by `_row_hash`, so the
    same delivery always yields the same survivor.

    One window does both (one shuffle of the delivery, not two): a row and its copies
    share a key, a version and a hash, so with each key's rows ordered newest first, then
    by hash, every copy comes right after the row it copies.
    """
    is_valid = F.col(REJECT_REASON).isNull()
    keys = [F.col(f"{TYPED}.{key}") for key in contract.primary_key]
    newest_first = Window.partitionBy(is_valid, *keys).orderBy(
        F.col(f"{TYPED}.{contract.version_column}").desc(), "_row_hash", "_source_file"
    )
    copies_the_row_before = F.lag("_row_hash").over(newest_first) == F.col("_row_hash")
    reason = (
        F.when(~is_valid, F.col(REJECT_REASON))
        .when(F.row_number().over(newest_first) == 1, F.lit(None).cast("string"))
        .when(copies_the_row_before, F.lit("duplicate_row"))
        .otherwise(F.lit("superseded_in_delivery"))
    )
    return checked.withColumn(REJECT_REASON, reason)


def flag_rows(bronze: DataFrame, contract: Contract) -> DataFrame:
    """Bronze rows with their typed values and reject reason (null = goes to silver)."""
    return flag_duplicates(
        add_reject_reason(add_typed_values(bronze, contract), contract), contract
    )


def select_silver(flagged: DataFrame, contract: Contract) -> DataFrame:
    """The silver schema: typed contract columns, lineage metadata, the partition column."""
    return flagged.filter(F.col(REJECT_REASON).isNull()).select(
        *[F.col(f"{TYPED}.{column.name}").alias(column.name) for column in contract.columns],
        *METADATA_COLUMNS,
        PARTITION_COLUMN,
    )


def select_quarantine(flagged: DataFrame, bronze_columns: list[str]) -> DataFrame:
    """Rejected rows exactly as delivered (every bronze column) plus their reason."""
    return flagged.filter(F.col(REJECT_REASON).isNotNull()).select(
        *[column for column in bronze_columns if column != PARTITION_COLUMN],
        REJECT_REASON,
        PARTITION_COLUMN,
    )
