"""Fill the shop's PostgreSQL database from generated deliveries, as the shop's app would.

    medallion generate ecommerce --start 2026-11-01 --days 3
    MEDALLION_SOURCE_DSN=postgresql://shop:...@localhost:5433/shop \\
        python -m medallion.sources.seed --start 2026-11-01 --days 3

Each day's landing CSVs of customers, products, orders and order_items are applied in
date order as upserts: a key's row is replaced by a newer version (by `updated_at`), so
the tables end up holding what an OLTP database holds, the current state of every key.

Rows a typed database cannot hold are skipped and counted (an order without an id, an
amount "n/a", an exact duplicate line); the other invalid rows the generator plants
(negative amounts, unknown statuses) are stored, for the silver layer to quarantine.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from medallion.contracts import Contract, load_contract
from medallion.lake import landing_dir

log = logging.getLogger(__name__)

DATASET = "ecommerce"
OLTP_TABLES = ("customers", "products", "orders", "order_items")
SCHEMA_FILE = Path(__file__).with_name("ecommerce_oltp.sql")
DSN_VARIABLE = "MEDALLION_SOURCE_DSN"


def create_schema(connection) -> None:
    """Create the shop's tables (no-op for tables that exist)."""
    connection.execute(SCHEMA_FILE.read_text(encoding="utf-8"))


def typed_value(raw: str, column_type: str):
    """A CSV field as the database column holds it; '' is NULL. Raises ValueError."""
    if raw == "":
        return None
    if column_type == "integer":
        return int(raw)
    if column_type.startswith("decimal"):
        try:
            return Decimal(raw)
        except InvalidOperation as error:
            raise ValueError(f"not a number: {raw!r}") from error
    if column_type == "timestamp":
        return datetime.strptime(raw, "%Y-%m-%d %H:%M:%S")
    if column_type == "date":
        return date.fromisoformat(raw)
    return raw


def typed_rows(contract: Contract, path: Path, skipped: Counter) -> list[tuple]:
    """The rows of one delivered CSV file that the typed table can hold."""
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            try:
                row = tuple(
                    typed_value(record[column.name], column.type) for column in contract.columns
                )
            except ValueError:
                skipped["invalid_type"] += 1
                continue
            key = [row[contract.column_names.index(name)] for name in contract.primary_key]
            if None in key:
                skipped["missing_key"] += 1
                continue
            rows.append(row)
    return rows


def upsert_statement(contract: Contract):
    """INSERT ... ON CONFLICT DO UPDATE keeping the newer version of a key."""
    from psycopg import sql

    columns = contract.column_names
    return sql.SQL(
        "insert into {table} ({columns}) values ({values}) on conflict ({key}) do update "
        "set {updates} where {table}.{version} <= excluded.{version}"
    ).format(
        table=sql.Identifier(contract.table),
        columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
        values=sql.SQL(", ").join(sql.Placeholder() * len(columns)),
        key=sql.SQL(", ").join(map(sql.Identifier, contract.primary_key)),
        updates=sql.SQL(", ").join(
            sql.SQL("{column} = excluded.{column}").format(column=sql.Identifier(name))
            for name in columns
            if name not in contract.primary_key
        ),
        version=sql.Identifier(contract.version_column),
    )


def load_delivery(connection, table: str, ds: str) -> dict:
    """Apply one day's landing files of a table to the database; return the counts."""
    contract = load_contract(DATASET, table)
    skipped: Counter = Counter()
    rows = [
        row
        for path in sorted(landing_dir(DATASET, contract.source_folder, ds).glob("*.csv"))
        for row in typed_rows(contract, path, skipped)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(upsert_statement(contract), rows)
    connection.commit()
    return {"table": table, "ds": ds, "applied": len(rows), "skipped": dict(skipped)}


def seed(connection, dates: list[str], tables: tuple[str, ...] = OLTP_TABLES) -> list[dict]:
    """Create the schema and apply the deliveries of `dates`, oldest first."""
    create_schema(connection)
    connection.commit()
    results = []
    for ds in sorted(dates):
        for table in tables:
            result = load_delivery(connection, table, ds)
            log.info(
                "%s %s: %s rows applied, skipped %s",
                table,
                ds,
                result["applied"],
                result["skipped"],
            )
            results.append(result)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", required=True, help="first delivery date, YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    dsn = os.environ.get(DSN_VARIABLE)
    if not dsn:
        raise SystemExit(f"{DSN_VARIABLE} is not set: the PostgreSQL URL of the shop database")
    start = date.fromisoformat(args.start)
    dates = [str(start + timedelta(days=offset)) for offset in range(args.days)]

    import psycopg

    with psycopg.connect(dsn) as connection:
        seed(connection, dates)


if __name__ == "__main__":
    main()
