"""A missing or dead Pushgateway never slows a task down for long and never fails it.

Each case runs a fresh Python process, because "log once" is per process: exactly what an
Airflow task process sees. Needs no Prometheus binaries.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

# Pushes three times, prints what each push returned and how long it took.
PUSH_THREE_TIMES = """
import json, logging, sys, time
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
from monitoring import metrics
results = []
for rows in (1, 2, 3):
    started = time.monotonic()
    pushed = metrics.push_layer_rows("dead_gateway", "bronze.ingest_orders", "bronze", "orders", "2026-11-21", rows)
    results.append({"pushed": pushed, "seconds": time.monotonic() - started})
print(json.dumps(results))
"""


def push_three_times(gateway_url: str | None) -> tuple[list[dict], list[str]]:
    env = {key: value for key, value in os.environ.items() if key != "MEDALLION_PUSHGATEWAY_URL"}
    if gateway_url is not None:
        env["MEDALLION_PUSHGATEWAY_URL"] = gateway_url
    finished = subprocess.run(
        [sys.executable, "-c", PUSH_THREE_TIMES],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    log_lines = [line for line in finished.stderr.splitlines() if "monitoring." in line]
    return json.loads(finished.stdout), log_lines


@pytest.fixture
def silent_server():
    """A port that accepts connections and never answers: a hung gateway."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


@pytest.fixture
def closed_port():
    """A port nobody listens on: a gateway that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_a_hung_gateway_costs_each_push_at_most_the_timeout_and_one_warning(silent_server):
    results, log_lines = push_three_times(silent_server)

    assert [result["pushed"] for result in results] == [False, False, False]
    assert max(result["seconds"] for result in results) < 2.5
    assert len(log_lines) == 1
    assert log_lines[0].startswith("WARNING monitoring.pushgateway: run metrics were not pushed")


def test_a_down_gateway_fails_fast_with_one_warning(closed_port):
    results, log_lines = push_three_times(closed_port)

    assert [result["pushed"] for result in results] == [False, False, False]
    assert max(result["seconds"] for result in results) < 0.5
    assert len(log_lines) == 1
    assert "Connection refused" in log_lines[0]


def test_without_a_gateway_url_metrics_are_off_and_said_once():
    results, log_lines = push_three_times(None)

    assert [result["pushed"] for result in results] == [False, False, False]
    assert log_lines == [
        "INFO monitoring.pushgateway: MEDALLION_PUSHGATEWAY_URL is not set: run metrics are off"
    ]
