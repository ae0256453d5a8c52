"""Fixtures of the monitoring tests: the real Prometheus stack and real receivers on loopback.

- `monitoring_stack` (session): Pushgateway, Prometheus and Alertmanager from the Debian
  packages (monitoring.local_stack) on free ports, with one-second intervals. Alertmanager
  delivers to `alertmanager_webhook` and `alertmanager_smtp`. `.query(promql)` asks
  Prometheus.
- `pushgateway_url`: MEDALLION_PUSHGATEWAY_URL pointed at that stack for one test, so
  whatever runs in the test pushes into it.
- `webhook_receiver`, `smtp_server` (per module): an HTTP server and an SMTP server
  (aiosmtpd) that record what they receive, for the notification tests.
- `gateway_samples(url, metric, **labels)`: what the Pushgateway holds now.
- `unused_port()`: a loopback port nobody listens on.
- `prometheus_tools`: only checks that the binaries exist (skip, or fail in CI).
- `wait_until(probe)`: poll until `probe()` returns something truthy, then return it.

Without the Prometheus binaries these tests skip, saying how to install them; with CI set
they fail instead, so CI can never go green by skipping them.
To reuse the stack in another folder's tests (e.g. after a whole DAG run), move these
fixtures to tests/conftest.py.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from monitoring.local_stack import INSTALL_HINT, LocalStack, missing_binaries
from monitoring.stack_config import FAST_TIMINGS, Ports


def require_prometheus_tools() -> None:
    """Skip (fail in CI) unless prometheus, pushgateway, alertmanager, promtool, amtool exist."""
    missing = missing_binaries()
    if missing:
        message = f"not installed: {', '.join(missing)}; install with: sudo {INSTALL_HINT}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def poll(probe, timeout_seconds: float = 20.0, interval_seconds: float = 0.25):
    """Call `probe` until it returns something truthy; return that, or fail at the timeout."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if result := probe():
            return result
        time.sleep(interval_seconds)
    pytest.fail(f"nothing from {getattr(probe, '__name__', probe)} within {timeout_seconds} s")


class RecordingHTTPServer(ThreadingHTTPServer):
    """Answers 200 to every POST and keeps its JSON body in `.received`."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        self.received: list[dict] = []
        self.port = self.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class _RecordingHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append({"path": self.path, "json": json.loads(body)})
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format, *args) -> None:  # keep pytest's output clean
        pass


@pytest.fixture(scope="session")
def prometheus_tools():
    require_prometheus_tools()


@pytest.fixture(scope="session")
def wait_until():
    return poll


@pytest.fixture(scope="session")
def unused_port():
    """A function returning a free loopback port: a service that is down."""
    return free_port


@pytest.fixture(scope="session")
def gateway_samples():
    """A function: the series of a metric the Pushgateway holds now, matching some labels."""

    def samples(gateway_url: str, metric: str, **labels: str) -> dict[tuple, float]:
        text = requests.get(f"{gateway_url}/metrics", timeout=5).text
        return {
            tuple(sorted(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == metric and labels.items() <= sample.labels.items()
        }

    return samples


def _serve_http():
    server = RecordingHTTPServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture(scope="session")
def alertmanager_webhook():
    server = _serve_http()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def webhook_receiver():
    server = _serve_http()
    yield server
    server.shutdown()


class RecordingSMTPHandler:
    """aiosmtpd handler keeping every delivered message in `.messages`."""

    def __init__(self) -> None:
        self.messages: list[dict] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "subject": str(message["Subject"]),
                "body": message.get_body(preferencelist=("html", "plain")).get_content(),
            }
        )
        return "250 Message accepted for delivery"


def _serve_smtp():
    from aiosmtpd.controller import Controller

    handler = RecordingSMTPHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, handler


@pytest.fixture(scope="session")
def alertmanager_smtp():
    controller, handler = _serve_smtp()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture(scope="module")
def smtp_server():
    controller, handler = _serve_smtp()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture(scope="session")
def monitoring_stack(tmp_path_factory, alertmanager_webhook, alertmanager_smtp):
    require_prometheus_tools()
    ports = Ports(
        pushgateway=free_port(),
        prometheus=free_port(),
        alertmanager=free_port(),
        alert_webhook=alertmanager_webhook.port,
        smtp=alertmanager_smtp.port,
    )
    stack = LocalStack(tmp_path_factory.mktemp("monitoring-stack"), ports, FAST_TIMINGS)
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture
def pushgateway_url(monitoring_stack, monkeypatch):
    url = monitoring_stack.url("pushgateway")
    monkeypatch.setenv("MEDALLION_PUSHGATEWAY_URL", url)
    return url
