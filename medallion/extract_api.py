"""The API extract step: the product catalogue of a date, from an HTTP API into landing.

With `MEDALLION_ECOMMERCE_PRODUCTS=api`, ecommerce_daily runs this before ingesting
products: it pages through the catalogue API (medallion.sources.catalogue_api in the
labs) and writes `data/landing/ecommerce/products/<ds>/products-api.csv`, the contract's
columns in contract order. Ingest, refine and gold then run unchanged.

The API is the Airflow connection `ecommerce_catalogue`, looked up when the task runs:
    AIRFLOW_CONN_ECOMMERCE_CATALOGUE='http://127.0.0.1:18081'
Calls go through medallion.http_source: timeouts, retries with backoff and jitter,
`Retry-After`, and an immediate failure on a 4xx that retrying cannot fix.
"""

from __future__ import annotations

import csv
import logging
import os
from pathlib import Path

import requests

from medallion.contracts import load_contract
from medallion.errors import fail_fast_on_data_errors
from medallion.http_source import DEFAULT_POLICY, RetryPolicy, get_json
from medallion.lake import landing_dir

log = logging.getLogger(__name__)

CONNECTION_ID = "ecommerce_catalogue"
PAGE_SIZE = 100
LANDING_FILE = "products-api.csv"


def catalogue_url_from_connection(conn_id: str = CONNECTION_ID) -> str:
    """The base URL of an Airflow http connection (scheme, host and port)."""
    from airflow.sdk import Connection

    connection = Connection.get(conn_id)
    if not connection.host:
        raise ValueError(f"Airflow connection {conn_id!r} has no host: set it to the API's URL")
    scheme = connection.schema or "http"
    port = f":{connection.port}" if connection.port else ""
    return f"{scheme}://{connection.host}{port}"


def extract_products(base_url: str, ds: str, policy: RetryPolicy = DEFAULT_POLICY) -> dict:
    """Every page of the catalogue of `ds` -> one landing file, written atomically."""
    contract = load_contract("ecommerce", "products")
    url = f"{base_url.rstrip('/')}/v1/products"
    rows: list[dict] = []
    pages = 0
    page: int | None = 1
    with requests.Session() as session:
        while page is not None:
            body = get_json(
                session, url, {"date": ds, "page": page, "page_size": PAGE_SIZE}, policy
            )
            rows.extend(body["data"])
            pages += 1
            page = body["next_page"]
    target = landing_dir("ecommerce", contract.source_folder, ds) / LANDING_FILE
    _write_atomically(target, contract.column_names, rows)
    log.info(
        "products %s: %d pages, %s rows from %s -> %s", ds, pages, f"{len(rows):,}", url, target
    )
    return {
        "dataset": "ecommerce",
        "table": "products",
        "ds": ds,
        "pages": pages,
        "rows": len(rows),
    }


def _write_atomically(target: Path, columns: list[str], rows: list[dict]) -> None:
    """Write to a hidden temporary file, then rename: landing never holds half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({column: row.get(column, "") for column in columns} for row in rows)
    os.replace(temporary, target)


def extract_products_step(ds: str) -> dict:
    """What the DAG's `bronze.extract_products_api` task runs."""
    with fail_fast_on_data_errors():
        return extract_products(catalogue_url_from_connection(), ds)
