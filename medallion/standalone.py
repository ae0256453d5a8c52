"""Start Airflow's UI for the embedded setup and print how to log in.

`make airflow` runs this: `airflow standalone` (api-server, scheduler, dag-processor and
triggerer in one command) in its own process group, waits until the UI answers, prints
the URL and the generated admin password, and stops the whole group on Ctrl-C.

The UI listens on 127.0.0.1 only: the embedded setup's admin login is printed on the
screen and its password kept in a file, so nobody else on the network should reach it.
(Set AIRFLOW__API__HOST yourself to choose another address, knowingly.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

HOST = "127.0.0.1"
URL = f"http://{HOST}:8080"
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"
STARTUP_TIMEOUT_SECONDS = 180


def wait_until_up(process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"airflow standalone exited with code {process.returncode}")
        try:
            if requests.get(f"{URL}/api/v2/monitor/health", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(2)
    raise SystemExit(f"Airflow did not answer on {URL} within {STARTUP_TIMEOUT_SECONDS} s")


def read_logins(airflow_home: Path) -> dict[str, str]:
    path = airflow_home / PASSWORDS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def main() -> int:
    airflow_home = Path(os.environ["AIRFLOW_HOME"])
    log_path = airflow_home / "standalone.log"
    print(f"Starting Airflow (logs: {log_path}) ...")
    with log_path.open("a", encoding="utf-8") as log:
        # A new session makes airflow standalone and all its children one process group,
        # so one signal stops them all.
        # Airflow's api-server binds to 0.0.0.0 (every interface) unless told otherwise.
        env = {"AIRFLOW__API__HOST": HOST, **os.environ}
        process = subprocess.Popen(
            ["airflow", "standalone"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
        try:
            wait_until_up(process)
            print(f"\nAirflow is up: {URL}")
            for user, password in read_logins(airflow_home).items():
                print(f"  login: {user} / {password}   (from {airflow_home / PASSWORDS_FILE})")
            print("Unpause and trigger 'ecommerce_daily' in the UI. Ctrl-C stops Airflow.")
            process.wait()
        except KeyboardInterrupt:
            print("\nStopping Airflow ...")
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
