"""The compose file's own commands start, as a student's uid, and pass their healthchecks.

For each profile, `docker compose config --format json` gives every service's exact
command, environment, user and mounts. The services this machine can run — the Spark
engine, the Spark master, worker and Connect server, the catalogue API — start from
those, in a sandbox that stands in for Docker (tests/compose/compose_sandbox.py): their
own network, the image's folders, the volumes as the file mounts them, and the user id
`make env` writes (here 4321, with no passwd entry, as on a student's laptop). Each must
pass its own healthcheck.

Needs root for the namespaces (CI runs as root); elsewhere it skips, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest
from compose_sandbox import Sandbox, Service, image_environment
from compose_tools import COMPOSE_FILE, DOCKER_DIR, ENV_EXAMPLE, compose

from medallion.env_file import render_env

pytestmark = pytest.mark.slow

UID = 4321
# The services of each profile that run here (the others: PostgreSQL, Airflow, the
# monitoring images, are started by other tests from their own packages).
RUNNABLE = {
    "laptop": ("airflow-db", "engine", "catalogue-api"),
    "scale": ("spark-master", "spark-worker", "spark-connect", "source-db",
              "prometheus", "pushgateway", "alertmanager"),
}  # fmt: skip
HEALTHY_WITHIN_SECONDS = 150


def require_sandbox() -> None:
    missing = [tool for tool in ("unshare", "nsenter", "setpriv", "ip") if not shutil.which(tool)]
    reason = None
    if os.geteuid() != 0:
        reason = "needs root for its namespaces (CI runs as root): sudo make test ..."
    elif missing:
        reason = f"needs {', '.join(missing)} (util-linux, iproute2)"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    assert not any(
        line.split(":")[2] == str(UID) for line in open("/etc/passwd").read().splitlines()
    ), f"uid {UID} has a passwd entry here: the test needs one that has none"


def resolved_services(tmp_path, compose_file, profile: str, names) -> list[Service]:
    env_file = tmp_path / f"{profile}.env"
    text = render_env(ENV_EXAMPLE.read_text(encoding="utf-8"), uid=UID)
    env_file.write_text(text.replace("\nCOMPOSE_PROFILES=laptop\n", "\nCOMPOSE_PROFILES=\n"))
    result = compose(env_file, "config", "--format", "json", profiles=(profile,),
                     compose_file=compose_file)  # fmt: skip
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    return [Service(name, services[name]) for name in names]


def start_and_check(
    tmp_path, compose_file, groups: dict[str, tuple[str, ...]]
) -> tuple[dict[str, str], float]:
    """Start each profile's services in a sandbox of its own, all at once; wait for their
    healthchecks. Returns {service: log tail} of those that failed, and the seconds."""
    require_sandbox()
    sandboxes = []
    for profile, names in groups.items():
        services = resolved_services(tmp_path, compose_file, profile, names)
        assert all(s.user[0] == UID for s in services if s.config.get("user"))
        sandboxes.append(Sandbox(tmp_path / profile, services, compose_file.parent))
    started = time.monotonic()
    unhealthy = {}
    try:
        project_env = image_environment(DOCKER_DIR / "Dockerfile")
        for sandbox in sandboxes:
            sandbox.start()
            for service in sandbox.services:
                sandbox.run(service, project_env)
        for sandbox in sandboxes:
            unhealthy.update(sandbox.wait_until_healthy(HEALTHY_WITHIN_SECONDS))
    finally:
        for sandbox in sandboxes:
            sandbox.stop()
    return unhealthy, time.monotonic() - started


def test_services_start_as_the_students_uid(tmp_path):
    unhealthy, seconds = start_and_check(tmp_path, COMPOSE_FILE, RUNNABLE)
    problems = "\n\n".join(f"--- {name}:\n{log}" for name, log in unhealthy.items())
    assert not unhealthy, f"not healthy as uid {UID} after {seconds:.0f} s:\n{problems}"
    names = [name for names in RUNNABLE.values() for name in names]
    print(f"{', '.join(names)}: healthy as uid {UID} in {seconds:.1f} s")


def test_the_sandbox_tells_a_broken_service(tmp_path):
    """A worker whose work dir is not writable fails here, as it would in Docker."""
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    broken = text.replace("/tmp/spark-work", "/opt/spark/work")
    assert broken != text
    compose_file = DOCKER_DIR / f".fidelity-{os.getpid()}.yml"
    compose_file.write_text(broken)
    try:
        unhealthy, _ = start_and_check(tmp_path, compose_file, {"scale": ("spark-worker",)})
    finally:
        compose_file.unlink()
    assert list(unhealthy) == ["spark-worker"]
    log = unhealthy["spark-worker"]
    assert "AccessDenied" in log or "ermission denied" in log, log
