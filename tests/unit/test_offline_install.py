"""The offline classroom route: a wheelhouse built here installs with the network off.

A small slice of requirements.lock (python-dateutil, six and MarkupSafe, which has a
compiled wheel per platform) goes through the same code as `make wheelhouse`; uv then
installs it the way `make setup WHEELHOUSE=...` does (--offline --no-index), with an empty
cache and every proxy variable pointing at a closed port, so a download could not succeed.
Building the slice needs the network (PyPI), as `make wheelhouse` does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from medallion import wheelhouse

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("markupsafe", "python-dateutil", "six")
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
NO_NETWORK = {name: "http://127.0.0.1:9" for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}


def lock_slice(names: tuple[str, ...]) -> str:
    """The entries (pin and hashes) of these packages, copied from requirements.lock."""
    entries = re.split(r"\n(?=\S)", (ROOT / "requirements.lock").read_text())
    chosen = [e for e in entries if re.match(rf"({'|'.join(names)})==", e, re.IGNORECASE)]
    assert len(chosen) == len(names), f"not all of {names} are in requirements.lock"
    return "\n".join(chosen) + "\n"


def offline_sync(lock: Path, wheels: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    venv = tmp_path / "venv"
    subprocess.run([wheelhouse.UV, "venv", "--quiet", "--python", sys.executable, venv], check=True)
    command = [wheelhouse.UV, "pip", "sync", "--require-hashes", "--offline", "--no-index",
               "--find-links", wheels, "--python", venv / "bin" / "python", lock]  # fmt: skip
    environment = {**os.environ, **NO_NETWORK, "UV_CACHE_DIR": str(tmp_path / "empty-cache")}
    return subprocess.run(command, env=environment, capture_output=True, text=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    if not wheelhouse.UV.exists():
        pytest.fail("uv is missing from .tools/: run make setup")
    folder = tmp_path_factory.mktemp("wheelhouse")
    lock = folder / "slice.lock"
    lock.write_text(lock_slice(PACKAGES))
    jars = folder / "no-jars"
    jars.mkdir()
    wheelhouse.build(folder / "house", [PYTHON], [lock], jars)
    return lock, folder / "house" / "wheels"


def test_the_wheelhouse_holds_a_wheel_for_every_platform(built):
    _, wheels = built
    markupsafe = [p.name for p in wheels.glob("markupsafe-*.whl")]
    for platform in ("manylinux.*x86_64", "manylinux.*aarch64", "macosx.*arm64", "macosx.*x86_64"):
        assert any(re.search(platform, name) for name in markupsafe), (platform, markupsafe)


def test_it_installs_with_the_network_off(built, tmp_path):
    lock, wheels = built
    result = offline_sync(lock, wheels, tmp_path)
    assert result.returncode == 0, result.stderr
    python = tmp_path / "venv" / "bin" / "python"
    imported = subprocess.run([python, "-c", "import dateutil, markupsafe, six"], check=False)
    assert imported.returncode == 0


def test_a_file_missing_from_the_wheelhouse_is_not_fetched_from_the_network(built, tmp_path):
    lock, wheels = built
    partial = tmp_path / "partial"
    partial.mkdir()
    for wheel in wheels.iterdir():
        if not wheel.name.startswith("six-"):
            (partial / wheel.name).symlink_to(wheel)
    result = offline_sync(lock, partial, tmp_path)
    assert result.returncode != 0
    assert "six" in result.stderr
