"""metrics-down and webhook-down: the pipeline's helpers become unreachable.

The fault is written to `$AIRFLOW_HOME/faults.env`, which the Makefile reads before
`make run` and `make airflow`, so the next runs see a Pushgateway or an alert webhook at a
loopback port where nothing listens. `make reset` deletes the file with the rest of
Airflow's state; deleting the file by hand heals the fault too.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path


def faults_env_file() -> Path:
    home = os.environ.get("AIRFLOW_HOME") or str(Path.home() / "airflow")
    return Path(home) / "faults.env"


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_fault(name: str, value: str) -> list[str]:
    """Set one variable in faults.env, replacing an earlier value of it."""
    path = faults_env_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        line
        for line in (path.read_text().splitlines() if path.exists() else [])
        if not line.startswith(f"export {name} ")
    ]
    lines.append(f"export {name} := {value}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [f"{path}: {name} = {value}"]


def pushgateway_down() -> list[str]:
    """Point the metrics push at a closed port."""
    return write_fault("MEDALLION_PUSHGATEWAY_URL", f"http://127.0.0.1:{closed_port()}")


def webhook_down() -> list[str]:
    """Point the `alert_webhook` connection at a closed port."""
    connection = {
        "conn_type": "slackwebhook",
        "password": f"http://127.0.0.1:{closed_port()}/services/T000/B000/DOWN",
    }
    return write_fault("AIRFLOW_CONN_ALERT_WEBHOOK", json.dumps(connection))
