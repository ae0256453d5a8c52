"""Spark schemas derived from a data contract (never inferred from the data)."""

from __future__ import annotations

from pyspark.sql import types as T

from medallion.contracts import DECIMAL_TYPE, Contract

CORRUPT_RECORD = "_corrupt_record"

_SIMPLE_TYPES = {
    "string": T.StringType(),
    "integer": T.IntegerType(),
    "long": T.LongType(),
    "double": T.DoubleType(),
    "boolean": T.BooleanType(),
    "date": T.DateType(),
    "timestamp": T.TimestampType(),
}


def spark_type(contract_type: str) -> T.DataType:
    """The Spark type of a contract type name such as `decimal(12,2)` or `timestamp`."""
    match = DECIMAL_TYPE.fullmatch(contract_type)
    if match:
        return T.DecimalType(int(match.group(1)), int(match.group(2)))
    return _SIMPLE_TYPES[contract_type]


def raw_read_schema(column_names: list[str]) -> T.StructType:
    """Schema for reading landing files: every column as a string, plus the raw line of
    rows the parser could not split. Bronze keeps values exactly as delivered, so a bad
    value can be quarantined later with its reason instead of vanishing at read time."""
    fields = [T.StructField(name, T.StringType(), nullable=True) for name in column_names]
    return T.StructType([*fields, T.StructField(CORRUPT_RECORD, T.StringType(), nullable=True)])


def silver_schema(contract: Contract) -> T.StructType:
    """The typed schema silver promises its readers (before metadata columns)."""
    return T.StructType(
        [
            T.StructField(column.name, spark_type(column.type), nullable=column.nullable)
            for column in contract.columns
        ]
    )
