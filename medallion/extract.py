"""The extract step: a source database's changed rows -> that day's landing files.

A DAG whose source is a database (not file exports) runs this before ingest, for each
table the database holds; ingest, refine and gold then run unchanged. The database is
named by the Airflow connection `<dataset>_source` (conn type postgres), looked up when
the task runs, never while the DAG is parsed:

    AIRFLOW_CONN_ECOMMERCE_SOURCE='{"conn_type": "postgres", "host": "source-db",
        "port": 5432, "login": "shop", "password": "...", "schema": "shop"}'

(`schema` is Airflow's field for the database name.) Spark needs the PostgreSQL JDBC
driver: `--jars /usr/share/java/postgresql.jar` on the Spark Connect server (compose), or
`"spark.jars": "/usr/share/java/postgresql.jar"` in the extra of a local[2] connection.
"""

from __future__ import annotations

from urllib.parse import quote

from medallion.errors import fail_fast_on_data_errors

# The tables the shop's database holds (medallion/sources/ecommerce_oltp.sql); events
# keep arriving as files from the web tracker.
DATABASE_TABLES = {"ecommerce": ("customers", "products", "orders", "order_items")}


def source_connection_id(dataset: str) -> str:
    return f"{dataset}_source"


def jdbc_source_from_connection(conn_id: str):
    """The JDBC address and login of an Airflow postgres connection."""
    from airflow.sdk import Connection

    from spark.jobs.extract_postgres import JdbcSource

    connection = Connection.get(conn_id)
    if connection.conn_type != "postgres" or not connection.host or not connection.schema:
        raise ValueError(
            f"Airflow connection {conn_id!r} must be of type postgres with a host and a "
            f"database name in its schema field (got type {connection.conn_type!r}, "
            f"host {connection.host!r}, schema {connection.schema!r})."
        )
    url = (
        f"jdbc:postgresql://{quote(connection.host, safe='.-')}:{connection.port or 5432}"
        f"/{quote(connection.schema, safe='')}"
    )
    return JdbcSource(url=url, user=connection.login or "", password=connection.password or "")


def extract_step(spark, dataset: str, table: str, ds: str, pipeline: str, task_id: str) -> dict:
    """Rows of `<dataset>.<table>` changed in `ds`'s window -> landing files of `ds`."""
    from spark.jobs import extract_postgres

    if table not in DATABASE_TABLES.get(dataset, ()):
        raise ValueError(
            f"{dataset}.{table} is not extracted from a database; known tables: "
            f"{DATABASE_TABLES.get(dataset, ())}"
        )
    source = jdbc_source_from_connection(source_connection_id(dataset))
    with fail_fast_on_data_errors():
        return extract_postgres.run(spark, dataset, table, ds, source)
