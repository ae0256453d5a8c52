"""The JDBC extract against a real PostgreSQL, through a real Spark Connect server.

The shop's database is seeded from one generated delivery; the first extraction must
land every row, exactly as the database holds it (recomputed here with psycopg, not
Spark). Then rows change in the database: the next date's extraction must land only
those, a re-run must land the same rows again, and the landing files must load through
the unchanged ingest job.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pytest
from support.lab_processes import (
    LabProcess,
    free_port,
    scratch_database,
    spark_connect_command,
    spark_env,
)

from medallion.contracts import load_contract
from medallion.lake import candidate_dir, landing_dir, read_commit_marker
from medallion.local_servers.postgres import LocalPostgres
from medallion.watermarks import recorded_windows

pytestmark = pytest.mark.integration

DAY_1, DAY_2, DAY_3 = "2026-11-01", "2026-11-02", "2026-11-03"
TABLES = ("customers", "products", "orders", "order_items")


@dataclass(frozen=True)
class Shop:
    """The seeded database on the test run's own PostgreSQL server."""

    server: LocalPostgres
    name: str

    @property
    def dsn(self) -> str:
        return self.server.dsn(self.name)


@pytest.fixture(scope="module")
def shop(tmp_path_factory, postgres_server):
    """A fresh database seeded with DAY_1 of generated deliveries (50 orders a day).

    Yields where it is; extraction writes into a data folder of its own meanwhile.
    """
    import psycopg

    from medallion.generate.ecommerce import generate_ecommerce
    from medallion.sources.seed import seed

    generated = tmp_path_factory.mktemp("generated")
    generate_ecommerce(generated / "landing" / "ecommerce", date.fromisoformat(DAY_1), 1, 50, 11)
    with scratch_database(postgres_server) as name, pytest.MonkeyPatch.context() as patch:
        patch.setenv("MEDALLION_DATA_DIR", str(generated))
        with psycopg.connect(postgres_server.dsn(name)) as connection:
            results = seed(connection, [DAY_1])
        assert {result["table"] for result in results if result["applied"]} == set(TABLES)
        patch.setenv("MEDALLION_DATA_DIR", str(tmp_path_factory.mktemp("extracted")))
        yield Shop(postgres_server, name)


@pytest.fixture(scope="module")
def remote_spark(tmp_path_factory):
    """A Spark Connect server (local[2], the JDBC driver on its classpath) and a session."""
    from pyspark.sql import SparkSession

    port = free_port()
    server = LabProcess(
        "spark-connect", spark_connect_command("local[2]", port), spark_env(),
        tmp_path_factory.mktemp("spark-connect"),
    ).start()  # fmt: skip
    try:
        server.wait_for_port(port)
        session = SparkSession.builder.remote(f"sc://127.0.0.1:{port}").getOrCreate()
        yield session
        session.stop()
    finally:
        server.stop()
        # pyspark marks the whole process as Connect mode; later local sessions must not be.
        os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)


def database_rows(shop: Shop, table: str, where: str = "true") -> set[tuple[str, ...]]:
    """A table's rows as a file export writes them (psycopg; '' for NULL)."""
    import psycopg
    from psycopg import sql

    def as_text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, Decimal | date | int):
            return str(value)
        return value

    columns = load_contract("ecommerce", table).column_names
    query = sql.SQL("select {columns} from {table} where {where}").format(
        columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
        table=sql.Identifier(table),
        where=sql.SQL(where),
    )
    with psycopg.connect(shop.dsn) as connection:
        return {tuple(as_text(value) for value in row) for row in connection.execute(query)}


def landed_rows(table: str, ds: str) -> list[tuple[str, ...]]:
    contract = load_contract("ecommerce", table)
    rows = []
    for path in sorted(landing_dir("ecommerce", contract.source_folder, ds).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            assert next(reader) == contract.column_names, f"{path}: header is not the contract"
            rows.extend(tuple(row) for row in reader)
    return rows


def extract(spark, shop: Shop, table: str, ds: str) -> dict:
    from spark.jobs.extract_postgres import JdbcSource, run

    source = JdbcSource(shop.server.jdbc_url(shop.name), user="postgres", password="")
    return run(spark, "ecommerce", table, ds, source)


def test_first_extraction_lands_every_row(shop, remote_spark):
    for table in TABLES:
        result = extract(remote_spark, shop, table, DAY_1)
        expected = database_rows(shop, table)
        landed = landed_rows(table, DAY_1)
        assert len(expected) > 10, table
        assert sorted(landed) == sorted(expected), table
        assert result["rows"] == len(expected)
        assert result["after"] is None
    window = recorded_windows("ecommerce", "orders")[DAY_1]
    assert window.through == max(row[-1] for row in database_rows(shop, "orders"))


def test_second_extraction_takes_only_the_changed_rows(shop, remote_spark):
    import psycopg

    changed_orders = sorted(row[0] for row in database_rows(shop, "orders"))[:3]
    with psycopg.connect(shop.dsn) as connection:
        connection.execute(
            "update orders set status = 'shipped', updated_at = %s where order_id = any(%s)",
            (datetime(2026, 11, 2, 10, 0, 0), changed_orders),
        )
        connection.execute(
            "insert into customers values (%s, %s, %s, %s, %s, %s, %s)",
            ("C09999999", "Zoë Novák", "zoe@example.org", "consumer", "west",
             date(2026, 11, 2), datetime(2026, 11, 2, 9, 30, 0)),
        )  # fmt: skip

    results = {table: extract(remote_spark, shop, table, DAY_2) for table in TABLES}

    assert sorted(row[0] for row in landed_rows("orders", DAY_2)) == changed_orders
    assert {row[3] for row in landed_rows("orders", DAY_2)} == {"shipped"}
    assert landed_rows("customers", DAY_2) == [
        ("C09999999", "Zoë Novák", "zoe@example.org", "consumer", "west", "2026-11-02",
         "2026-11-02 09:30:00"),
    ]  # fmt: skip
    assert landed_rows("products", DAY_2) == [] and landed_rows("order_items", DAY_2) == []
    assert results["orders"]["after"] == recorded_windows("ecommerce", "orders")[DAY_1].through
    assert results["orders"]["through"] == "2026-11-02 10:00:00"


def test_a_rerun_lands_the_same_window_and_later_changes_wait_for_the_next_date(shop, remote_spark):
    import psycopg

    before = landed_rows("orders", DAY_2)
    with psycopg.connect(shop.dsn) as connection:
        late = connection.execute(
            "update orders set status = 'paid', updated_at = %s where order_id = "
            "(select max(order_id) from orders) returning order_id",
            (datetime(2026, 11, 2, 23, 0, 0),),
        ).fetchone()[0]

    extract(remote_spark, shop, "orders", DAY_2)
    assert sorted(landed_rows("orders", DAY_2)) == sorted(before)

    extract(remote_spark, shop, "orders", DAY_3)
    assert [row[0] for row in landed_rows("orders", DAY_3)] == [late]


def test_landing_files_pass_the_ingest_job(shop, remote_spark):
    from spark.jobs import ingest_to_bronze

    for ds, expected in [(DAY_1, len(landed_rows("orders", DAY_1))), (DAY_2, 3)]:
        result = ingest_to_bronze.run(remote_spark, "ecommerce", "orders", ds)
        # The job writes a candidate (its gate would publish it): read the marker there.
        candidate = candidate_dir("bronze", "ecommerce", "orders", ds)
        marker = read_commit_marker("bronze", "ecommerce", "orders", ds, folder=candidate)
        assert result["rows"] == marker["rows"] == marker["source_rows"] == expected
    customers = ingest_to_bronze.run(remote_spark, "ecommerce", "customers", DAY_2)
    assert customers["rows"] == 1 and customers["extra_columns"] == []


def test_the_shop_tables_hold_the_contract_columns_in_order(shop):
    import psycopg

    query = (
        "select column_name from information_schema.columns "
        "where table_schema = 'public' and table_name = %s order by ordinal_position"
    )
    with psycopg.connect(shop.dsn) as connection:
        for table in TABLES:
            columns = [row[0] for row in connection.execute(query, (table,))]
            assert columns == load_contract("ecommerce", table).column_names, table
