"""The HTTP source against the real catalogue API on loopback, misbehaving on purpose.

No mocks: the lab's catalogue service (medallion.sources.catalogue_api) runs in a thread
on a free port and is told which fault to serve; the client is the one the DAG uses.
Backoff is shortened so the module runs in seconds; Retry-After is honoured as is.
"""

from __future__ import annotations

import csv
import threading
import time

import pytest
import requests

from medallion.errors import SourceRejectedError, SourceUnavailableError
from medallion.extract_api import LANDING_FILE, extract_products
from medallion.http_source import RetryPolicy, get_json
from medallion.sources.catalogue_api import CatalogueServer, catalogue_file

DS = "2026-11-02"
FAST = RetryPolicy(connect_timeout=1, read_timeout=0.5, attempts=5, backoff_base=0.05)
COLUMNS = ["product_id", "product_name", "category", "unit_cost", "list_price", "updated_at"]


@pytest.fixture
def catalogue(data_dir):
    """The API on a free port, serving a catalogue of 250 products for DS."""
    path = catalogue_file(DS)
    path.parent.mkdir(parents=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for number in range(1, 251):
            writer.writerow([f"P{number:05d}", f"Product {number}", "books", "1.00", "2.50",
                             f"{DS} 05:00:00"])  # fmt: skip
    server = CatalogueServer("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def fault(server, **plan) -> None:
    requests.post(f"{server.url()}/_faults", json=plan, timeout=5).raise_for_status()


def calls(server) -> int:
    return requests.get(f"{server.url()}/_stats", timeout=5).json()["calls"]


def first_page(server, policy=FAST) -> dict:
    with requests.Session() as session:
        params = {"date": DS, "page": 1, "page_size": 100}
        return get_json(session, f"{server.url()}/v1/products", params, policy)


def test_extract_pages_through_and_writes_every_row(catalogue, data_dir):
    result = extract_products(catalogue.url(), DS, FAST)
    assert (result["pages"], result["rows"]) == (3, 250)
    landing = data_dir / "landing" / "ecommerce" / "products" / DS
    assert [path.name for path in landing.iterdir()] == [LANDING_FILE]
    with (landing / LANDING_FILE).open(newline="", encoding="utf-8") as handle:
        written = list(csv.reader(handle))
    with catalogue_file(DS).open(newline="", encoding="utf-8") as handle:
        assert written == list(csv.reader(handle))


@pytest.mark.parametrize("mode", ["503", "500", "timeout", "truncate"])
def test_transient_faults_are_retried_until_the_source_recovers(catalogue, mode):
    fault(catalogue, mode=mode, count=3, hang_s=2, retry_after_s=0)
    assert first_page(catalogue)["total"] == 250
    assert calls(catalogue) == 4


def test_retry_after_is_honoured(catalogue):
    fault(catalogue, mode="429", count=1, retry_after_s=1)
    started = time.monotonic()
    first_page(catalogue)
    assert time.monotonic() - started >= 1.0
    assert calls(catalogue) == 2


@pytest.mark.parametrize("mode", ["404", "401"])
def test_a_permanent_refusal_fails_at_once(catalogue, data_dir, mode):
    fault(catalogue, mode=mode)
    with pytest.raises(SourceRejectedError) as failure:
        extract_products(catalogue.url(), DS, FAST)
    assert f"HTTP {mode}" in str(failure.value) and "/v1/products" in str(failure.value)
    assert calls(catalogue) == 1
    assert not (data_dir / "landing" / "ecommerce" / "products" / DS).exists()


def test_a_source_that_stays_down_hands_over_to_airflow_retries(catalogue, data_dir):
    fault(catalogue, mode="503", retry_after_s=0)
    with pytest.raises(SourceUnavailableError) as failure:
        extract_products(catalogue.url(), DS, FAST)
    assert "failed 5 times" in str(failure.value)
    assert calls(catalogue) == FAST.attempts
    # Nothing half-written is left where ingest would pick it up.
    landing = data_dir / "landing" / "ecommerce" / "products" / DS
    assert not landing.exists() or not list(landing.glob("*.csv"))


def test_a_source_that_is_not_there_is_retried(unused_port):
    with pytest.raises(SourceUnavailableError) as failure, requests.Session() as session:
        get_json(session, f"http://127.0.0.1:{unused_port()}/v1/products", {}, FAST)
    assert "ConnectionError" in str(failure.value)


def test_backoff_grows_exponentially_with_jitter_under_the_cap():
    import random

    policy = RetryPolicy(backoff_base=1, backoff_cap=5)
    rng = random.Random(3)
    waits = [[policy.backoff(attempt, rng) for _ in range(200)] for attempt in (1, 2, 3, 4)]
    assert [max(w) <= bound for w, bound in zip(waits, (1, 2, 4, 5), strict=True)] == [True] * 4
    assert max(waits[3]) > 4  # reaches up to the cap, not only the base
    assert len({round(w, 6) for w in waits[2]}) > 100  # jittered, not a fixed schedule


@pytest.mark.parametrize("date", ["../../..", "../../../secret", "2026-11-02/../..", "2026-02-30"])
def test_a_date_that_is_not_a_date_reads_nothing(catalogue, data_dir, date):
    # A file the API must never serve: where `../../..` from its store leads.
    (data_dir / "products.csv").write_text("product_id\nSECRET\n", encoding="utf-8")
    (data_dir / "secret").mkdir(exist_ok=True)
    (data_dir / "secret" / "products.csv").write_text("product_id\nSECRET\n", encoding="utf-8")
    answer = requests.get(
        f"{catalogue.url()}/v1/products",
        params={"date": date, "page": 1, "page_size": 10},
        timeout=5,
    )
    assert answer.status_code == 400
    assert "SECRET" not in answer.text
    assert "YYYY-MM-DD" in answer.json()["error"] or "day is out of range" in answer.text


@pytest.mark.parametrize(
    "plan",
    [
        {"mode": "timeout", "hang_s": 86_400},
        {"latency_s": 1e9},
        {"mode": "503", "count": -1},
        {"mode": "503", "count": 2.5},
        {"mode": "503", "retry_after_s": "soon"},
        {"mode": "teapot"},
        {"mode": "503", "sleep": 5},
        ["503"],
    ],
)
def test_a_fault_out_of_bounds_is_refused_and_the_api_stays_healthy(catalogue, plan):
    answer = requests.post(f"{catalogue.url()}/_faults", json=plan, timeout=5)
    assert answer.status_code == 400
    assert requests.get(f"{catalogue.url()}/_faults", timeout=5).json() == {}
    assert first_page(catalogue)["total"] == 250


def test_a_fault_at_its_limits_is_accepted(catalogue):
    plan = {"mode": "timeout", "count": 1000, "hang_s": 120, "latency_s": 30, "retry_after_s": 60}
    fault(catalogue, **plan)
    assert requests.get(f"{catalogue.url()}/_faults", timeout=5).json() == plan
