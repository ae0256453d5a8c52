"""Pushgateway, Prometheus and Alertmanager on loopback, as plain processes (`make monitor`).

    python -m monitoring.local_stack start     # then: make demo, and open Prometheus
    python -m monitoring.local_stack status
    python -m monitoring.local_stack stop

The binaries come from Debian (`apt-get install prometheus prometheus-pushgateway
prometheus-alertmanager`; none of them starts on its own). The configs are the project's
own, rewritten for 127.0.0.1 by monitoring/stack_config.py. Everything the stack writes
(configs, time series, logs, PID files) lives in monitoring/.stack/, which git ignores;
`stop` ends exactly the processes whose PIDs it recorded.

Tests run the same class on free ports with second-long intervals
(tests/monitoring/conftest.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from monitoring.stack_config import (
    Ports,
    Timings,
    local_alertmanager_config,
    local_prometheus_config,
    monitoring_dir,
    write_yaml,
)

INSTALL_HINT = "apt-get install -y prometheus prometheus-pushgateway prometheus-alertmanager"
# Debian's names first, then the names of the upstream release archives.
BINARIES = {
    "pushgateway": ("prometheus-pushgateway", "pushgateway"),
    "prometheus": ("prometheus",),
    "alertmanager": ("prometheus-alertmanager", "alertmanager"),
    "promtool": ("promtool",),
    "amtool": ("amtool",),
}
SERVICES = ("pushgateway", "prometheus", "alertmanager")

log = logging.getLogger(__name__)


class StackError(RuntimeError):
    """A service of the local stack could not be started; the message says why."""


def find_binary(name: str) -> str | None:
    """Path of the binary for `name` (a key of BINARIES), or None if not installed."""
    return next(filter(None, (shutil.which(candidate) for candidate in BINARIES[name])), None)


def missing_binaries() -> list[str]:
    return [name for name in BINARIES if find_binary(name) is None]


@dataclass
class LocalStack:
    """The three services with their configs, data and PID files under `state_dir`."""

    state_dir: Path
    ports: Ports = Ports()
    timings: Timings = Timings()

    def __post_init__(self) -> None:
        self._children: dict[str, subprocess.Popen] = {}

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{getattr(self.ports, service)}"

    def start(self, timeout_seconds: float = 30.0) -> None:
        """Start whatever is not running yet and wait until every service is ready.

        Services already running reload the freshly written configs instead (SIGHUP), so
        an edited rule file takes effect with another `start`.
        """
        if missing := missing_binaries():
            raise StackError(f"not installed: {', '.join(missing)}. Install: {INSTALL_HINT}")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._write_configs()
        for service in SERVICES:
            pid = self.running_pid(service)
            if pid is None:
                self._launch(service)
            elif service != "pushgateway":  # the gateway has no config file
                os.kill(pid, signal.SIGHUP)
        deadline = time.monotonic() + timeout_seconds
        try:
            for service in SERVICES:
                self._wait_until_ready(service, deadline)
        except StackError:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the services by the PIDs recorded at start (SIGTERM, then SIGKILL)."""
        for service in reversed(SERVICES):
            pid = self.running_pid(service)
            if pid is not None:
                os.kill(pid, signal.SIGTERM)
                if not self._wait_for_exit(service, pid, timeout_seconds=10):
                    os.kill(pid, signal.SIGKILL)
                    self._wait_for_exit(service, pid, timeout_seconds=5)
            if service in self._children:  # our own child not stopped above: end and reap it
                child = self._children.pop(service)
                if child.poll() is None:
                    child.kill()
                child.wait(timeout=5)
            self._pid_file(service).unlink(missing_ok=True)

    def status(self) -> dict[str, int | None]:
        """PID of each running service, None for a stopped one."""
        return {service: self.running_pid(service) for service in SERVICES}

    def running_pid(self, service: str) -> int | None:
        """The recorded PID, if that process is alive and still runs this service's binary."""
        pid_file = self._pid_file(service)
        if not pid_file.exists():
            return None
        pid = int(pid_file.read_text(encoding="utf-8"))
        # A PID is reused after its process ends: check it still is our binary.
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
        except FileNotFoundError:
            return None
        if Path(os.fsdecode(command)).name not in BINARIES[service] or _is_zombie(pid):
            return None
        return pid

    def query(self, promql: str) -> list[dict]:
        """Evaluate an instant PromQL query on the stack's Prometheus; the result vector."""
        import requests

        response = requests.get(
            f"{self.url('prometheus')}/api/v1/query", params={"query": promql}, timeout=5
        )
        response.raise_for_status()
        return response.json()["data"]["result"]

    def log_tail(self, service: str, lines: int = 15) -> str:
        log_file = self.state_dir / f"{service}.log"
        if not log_file.exists():
            return ""
        return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])

    def _write_configs(self) -> None:
        write_yaml(
            local_prometheus_config(self.ports, self.timings), self.state_dir / "prometheus.yml"
        )
        write_yaml(
            local_alertmanager_config(self.ports, self.timings),
            self.state_dir / "alertmanager.yml",
        )

    def _command(self, service: str) -> list[str]:
        listen = f"--web.listen-address=127.0.0.1:{getattr(self.ports, service)}"
        data = self.state_dir / service
        if service == "pushgateway":
            # Kept on disk, so a restarted gateway still shows the last run's numbers.
            return [listen, f"--persistence.file={data}.db"]
        if service == "prometheus":
            config = self.state_dir / "prometheus.yml"
            return [listen, f"--config.file={config}", f"--storage.tsdb.path={data}"]
        config = self.state_dir / "alertmanager.yml"
        # An empty cluster address turns off gossip with other Alertmanagers.
        return [
            listen,
            f"--config.file={config}",
            f"--storage.path={data}",
            "--cluster.listen-address=",
        ]

    def _launch(self, service: str) -> None:
        with open(self.state_dir / f"{service}.log", "ab") as log_file:
            child = subprocess.Popen(
                [find_binary(service), *self._command(service)],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=self.state_dir,
                # Its own session: a Ctrl-C in the terminal that ran `make monitor` must
                # not take the stack down with it.
                start_new_session=True,
            )
        self._children[service] = child
        self._pid_file(service).write_text(str(child.pid), encoding="utf-8")

    def _wait_until_ready(self, service: str, deadline: float) -> None:
        import requests

        while time.monotonic() < deadline:
            if self.running_pid(service) is None:
                raise StackError(f"{service} exited at start:\n{self.log_tail(service)}")
            try:
                if requests.get(f"{self.url(service)}/-/ready", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass  # not listening yet
            time.sleep(0.2)
        raise StackError(f"{service} not ready in time:\n{self.log_tail(service)}")

    def _wait_for_exit(self, service: str, pid: int, timeout_seconds: float) -> bool:
        if service in self._children:  # our own child: reap it, or it lingers as a zombie
            try:
                self._children.pop(service).wait(timeout=timeout_seconds)
                return True
            except subprocess.TimeoutExpired:
                return False
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if not Path(f"/proc/{pid}").exists() or _is_zombie(pid):
                return True
            time.sleep(0.1)
        return False

    def _pid_file(self, service: str) -> Path:
        return self.state_dir / f"{service}.pid"


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--state-dir", type=Path, default=monitoring_dir() / ".stack")
    args = parser.parse_args()
    stack = LocalStack(args.state_dir)
    if args.action == "start":
        stack.start()
    elif args.action == "stop":
        stack.stop()
    for service, pid in stack.status().items():
        state = f"running (pid {pid})" if pid else "stopped"
        print(f"{service:<13} {stack.url(service):<24} {state}")
    if args.action == "start":
        print(
            f"\nLet the pipeline push to it:  export MEDALLION_PUSHGATEWAY_URL={stack.url('pushgateway')}"
            f"\nQueries and alert states:     {stack.url('prometheus')} (menu: Graph, Alerts)"
            f"\nLogs and data:                {args.state_dir}/"
        )


if __name__ == "__main__":
    main()
