"""A Redis server of the project's own on loopback: the Celery broker of the `scale` setup.

`LocalRedis` starts `redis-server` (Debian's `redis-server` package, Homebrew's `redis`)
as a plain process on 127.0.0.1 at a port of its own, keeping nothing on disk, and stops
it by its PID. Tests start one when they run Airflow's CeleryExecutor.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

INSTALL_HINT = (
    "install Redis: `sudo apt-get install redis-server` (Debian, Ubuntu, WSL2) or "
    "`brew install redis` (macOS); nothing needs to run"
)


class RedisError(RuntimeError):
    """The server could not be found or started; the message says what to do."""


def find_binary() -> str | None:
    return shutil.which("redis-server")


class LocalRedis:
    """One server, logging to `folder/redis.log`; `url` is what Celery's broker needs."""

    def __init__(self, folder: Path, port: int):
        self.folder = Path(folder)
        self.port = port
        self.log_file = self.folder / "redis.log"
        self.binary = find_binary()
        if self.binary is None:
            raise RedisError(f"Redis is not installed: {INSTALL_HINT}")
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout_seconds: float = 20) -> LocalRedis:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [
            self.binary, "--bind", "127.0.0.1", "--port", str(self.port),
            "--save", "", "--appendonly", "no", "--dir", str(self.folder),
            "--logfile", str(self.log_file), "--daemonize", "no",
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self.ping():
                return self
            if self._process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        log = self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
        raise RedisError(f"redis-server did not answer on 127.0.0.1:{self.port}:\n{log}")

    def ping(self) -> bool:
        """True when the server answers PING with PONG (the protocol, no client library)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
        self._process = None

    def __enter__(self) -> LocalRedis:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
