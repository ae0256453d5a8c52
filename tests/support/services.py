"""Real local services for tests: an HTTP receiver, an SMTP server, polling, free ports.

Used by the fixtures in tests/conftest.py. Nothing here is a mock: the receivers are real
servers on loopback that Alertmanager, Airflow callbacks or the pipeline talk to.
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

from monitoring.local_stack import INSTALL_HINT, missing_binaries


def require(condition: bool, message: str) -> None:
    """Skip when a prerequisite is missing, saying how to get it; in CI, fail instead."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def require_prometheus_tools() -> None:
    """Skip (fail in CI) unless prometheus, pushgateway, alertmanager, promtool, amtool exist."""
    missing = missing_binaries()
    require(not missing, f"not installed: {', '.join(missing)}; install with: sudo {INSTALL_HINT}")


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


def serve_http():
    server = RecordingHTTPServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


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


def serve_smtp():
    from aiosmtpd.controller import Controller

    handler = RecordingSMTPHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, handler
