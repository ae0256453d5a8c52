"""network-timeout: the product catalogue comes from an HTTP API that fails, then recovers.

`inject(ds)` moves the products delivery of `ds` into the catalogue API's store, starts
the API in the background on 127.0.0.1:18081 failing its first calls (503 with
Retry-After, then a read timeout), and points the next runs at it through faults.env:
`MEDALLION_ECOMMERCE_PRODUCTS=api` adds the task `bronze.extract_products_api`, and the
connection `ecommerce_catalogue` names the API. `stop()` (make reset) stops the API.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from medallion.faults.environment import faults_env_file, write_fault
from medallion.lake import landing_dir
from medallion.sources.catalogue_api import DEFAULT_PORT, move_to_catalogue

URL = f"http://127.0.0.1:{DEFAULT_PORT}"
FAILING_CALLS = 3


def pid_file():
    return faults_env_file().with_name("catalogue-api.pid")


def inject(ds: str) -> list[str]:
    delivery = landing_dir("ecommerce", "products", ds)
    if not delivery.exists():
        raise FileNotFoundError(f"{delivery} does not exist: run make demo first")
    stop()
    store = move_to_catalogue(delivery)
    log = faults_env_file().with_name("catalogue-api.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "medallion.sources.catalogue_api", "--port", str(DEFAULT_PORT)]
    command += ["--fault", "503", "--count", str(FAILING_CALLS), "--retry-after", "2"]
    with log.open("w") as output:
        api = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    pid_file().write_text(str(api.pid))
    _wait_until_up(api, log)
    return [
        f"products of {ds} moved from landing to the API's store {store}",
        f"catalogue API started on {URL} (pid {api.pid}, log {log}): its first "
        f"{FAILING_CALLS} calls answer 503 with Retry-After: 2, then it recovers",
        *write_fault("MEDALLION_ECOMMERCE_PRODUCTS", "api"),
        *write_fault("AIRFLOW_CONN_ECOMMERCE_CATALOGUE", URL),
    ]


def _wait_until_up(api: subprocess.Popen, log: Path, timeout_seconds: float = 15) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if api.poll() is not None:  # e.g. the port is taken by another process
            raise RuntimeError(f"the catalogue API exited at once:\n{log.read_text()[-600:]}")
        try:
            requests.get(f"{URL}/health", timeout=1).raise_for_status()
            time.sleep(0.5)  # answered: make sure it is ours, still running
            if api.poll() is None:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"the catalogue API did not answer on {URL}; see catalogue-api.log")


def stop() -> None:
    """Stop the API started by `inject`, if it runs."""
    path = pid_file()
    if not path.exists():
        return
    try:
        os.killpg(int(path.read_text()), signal.SIGTERM)
    except ProcessLookupError:
        pass  # it had stopped already
    path.unlink()


if __name__ == "__main__":
    stop()
