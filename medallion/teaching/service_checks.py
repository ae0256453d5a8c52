"""Checks of what runs beside the code: Airflow's DB and UI, ports, disk, memory, Docker.

Like toolchain_checks, each function takes what it looks at as arguments and returns a
`CheckResult`, and only the standard library is imported (urllib rather than requests:
this must run before the virtual environment exists).
"""

from __future__ import annotations

import configparser
import json
import shutil
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from medallion.teaching.checks import CheckResult, fail, ok, warn

AIRFLOW_UI = "http://127.0.0.1:8080"
HEALTH_PATH = "/api/v2/monitor/health"
HTTP_TIMEOUT_SECONDS = 3
GIB = 1024**3
# The minimum a laptop needs (below it the check fails) and what is comfortable (below it
# the check warns). The README's "What your laptop needs" states the same figures.
DISK_MIN_GIB, DISK_GOOD_GIB = 2, 5
MEMORY_MIN_GIB, MEMORY_GOOD_GIB = 2, 4


@dataclass(frozen=True)
class ProjectPort:
    """A loopback port one of the project's services listens on, and how to recognise it.

    A port is fine when it is free, or when what answers on `probe_path` contains `marker`
    (then it is our own service, already running).
    """

    port: int
    service: str
    probe_path: str
    marker: str


# The ports of `make airflow`, `make docs`, `make monitor` and `make break
# SCENARIO=network-timeout`. tests/teaching/test_env_check.py keeps them equal to the
# constants of medallion.standalone, medallion.quality.docs, monitoring.stack_config and
# medallion.sources.catalogue_api, which cannot be imported here (they need the venv).
PROJECT_PORTS = (
    ProjectPort(8080, "Airflow UI (make airflow)", HEALTH_PATH, "metadatabase"),
    ProjectPort(8765, "Data Docs (make docs)", "/", "SimpleHTTP"),
    ProjectPort(18081, "catalogue API (make break SCENARIO=network-timeout)", "/health", "ok"),
    ProjectPort(19090, "Prometheus (make monitor)", "/-/healthy", "Prometheus"),
    ProjectPort(19091, "Pushgateway (make monitor)", "/api/v1/status", "build_information"),
    ProjectPort(19093, "Alertmanager (make monitor)", "/api/v2/status", "versionInfo"),
)


def airflow_home(env: Mapping[str, str], project_home: Path) -> Path:
    """AIRFLOW_HOME, or the project's .airflow/ that every make target uses."""
    return Path(env.get("AIRFLOW_HOME") or project_home / ".airflow")


def sqlite_database(env: Mapping[str, str], home: Path) -> Path | None:
    """The SQLite file of Airflow's metadata DB, or None when it is another database."""
    conn = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    config_file = home / "airflow.cfg"
    if not conn and config_file.exists():
        config = configparser.ConfigParser(interpolation=None)
        config.read(config_file, encoding="utf-8")
        conn = config.get("database", "sql_alchemy_conn", fallback=None)
    if not conn:
        return home / "airflow.db"  # Airflow's default
    return Path(conn.removeprefix("sqlite:///")) if conn.startswith("sqlite:///") else None


def check_airflow_db(env: Mapping[str, str], project_home: Path) -> CheckResult:
    """Airflow's metadata DB exists and carries every migration of the installed Airflow."""
    home = airflow_home(env, project_home)
    database = sqlite_database(env, home)
    # Asking Airflow about a missing SQLite file would create an empty one, and `make setup`
    # would then think the DB exists: look for the file first.
    if database is not None and not database.exists():
        return fail("airflow db", f"no metadata DB at {database}", "run `make setup`")
    airflow = shutil.which("airflow", path=env.get("PATH", ""))
    if not airflow:
        return fail("airflow db", "no `airflow` on the PATH", "run `make setup`")
    completed = subprocess.run(
        [airflow, "db", "check-migrations", "--migration-wait-timeout", "0"],
        capture_output=True,
        text=True,
        timeout=180,
        env={**env, "AIRFLOW_HOME": str(home)},
    )
    where = database or "the database of AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"
    if completed.returncode != 0:
        last_line = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return fail(
            "airflow db",
            f"{where} is not migrated to this Airflow ({last_line[:160]})",
            f"AIRFLOW_HOME={home} airflow db migrate",
        )
    return ok("airflow db", f"{where} migrated (AIRFLOW_HOME={home})")


def http_get(url: str) -> tuple[str, str]:
    """The Server header and the body of a GET; urllib raises HTTPError on 4xx/5xx."""
    with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_SECONDS) as response:
        body = response.read(65536).decode("utf-8", errors="replace")
        return response.headers.get("Server", ""), body


def check_airflow_ui(url: str = AIRFLOW_UI, required: bool = False) -> CheckResult:
    """The Airflow UI answers its health endpoint; down is a warning unless `required`."""
    try:
        _, body = http_get(url + HEALTH_PATH)
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        if isinstance(error, urllib.error.HTTPError):
            return fail("airflow ui", f"{url} answers, but not as Airflow ({error})", _FREE_8080)
        found = f"not running on {url}"
        if required:
            return fail("airflow ui", found, "start it with `make airflow` in another terminal")
        return warn("airflow ui", found, "start it with `make airflow` (needed from Lab 3 on)")
    try:
        health = json.loads(body)
    except ValueError:
        health = None
    if not isinstance(health, dict) or "metadatabase" not in health:
        return fail("airflow ui", f"{url} answers, but not as Airflow", _FREE_8080)
    database = health["metadatabase"].get("status", "unknown")
    return ok("airflow ui", f"{url} answers (metadatabase: {database})")


_FREE_8080 = "another program holds port 8080: stop it (`lsof -i :8080` names it)"


def is_listening(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:port."""
    with socket.socket() as probe:
        probe.settimeout(HTTP_TIMEOUT_SECONDS)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def is_our_service(port: ProjectPort) -> bool:
    """Whether the program on the port answers like the project's service."""
    try:
        server, body = http_get(f"http://127.0.0.1:{port.port}{port.probe_path}")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False  # no HTTP answer, or an error status: not our service
    return port.marker in server or port.marker in body


def check_ports(ports: Sequence[ProjectPort] = PROJECT_PORTS) -> CheckResult:
    """Every project port is free, or held by the project's own service."""
    free, ours, foreign = [], [], []
    for port in ports:
        if not is_listening(port.port):
            free.append(str(port.port))
        elif is_our_service(port):
            ours.append(f"{port.port} ({port.service}, running)")
        else:
            foreign.append(port)
    found = "; ".join(part for part in (", ".join(free) + " free", ", ".join(ours)) if part)
    if foreign:
        taken = ", ".join(f"{port.port} for {port.service}" for port in foreign)
        numbers = " ".join(f"-i :{port.port}" for port in foreign)
        return fail(
            "ports", f"held by another program: {taken}", f"stop it (`lsof {numbers}` names it)"
        )
    return ok("ports", found)


def check_disk(
    path: Path, fail_below_gib: float = DISK_MIN_GIB, warn_below_gib: float = DISK_GOOD_GIB
) -> CheckResult:
    """Free disk where the project lives: the venv takes 1.5 GB, a lab's data some more."""
    free_gib = shutil.disk_usage(path).free / GIB
    found = f"{free_gib:.1f} GiB free at {path}"
    if free_gib < fail_below_gib:
        return fail(
            "disk", found, f"free at least {fail_below_gib:g} GiB (`make reset` frees data)"
        )
    if free_gib < warn_below_gib:
        return warn("disk", found, f"{warn_below_gib:g} GiB is comfortable for every lab")
    return ok("disk", found)


def available_memory_gib(meminfo: Path = Path("/proc/meminfo")) -> float | None:
    """MemAvailable of Linux's /proc/meminfo in GiB, or None where there is none (macOS)."""
    if not meminfo.exists():
        return None
    for line in meminfo.read_text(encoding="utf-8").splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024 / GIB
    return None


def check_memory(
    available_gib: float | None,
    fail_below_gib: float = MEMORY_MIN_GIB,
    warn_below_gib: float = MEMORY_GOOD_GIB,
) -> CheckResult:
    """Enough free memory for Airflow standalone and a Spark driver side by side."""
    if available_gib is None:
        return warn("memory", "cannot read the available memory here", "make sure 4 GiB are free")
    found = f"{available_gib:.1f} GiB available"
    if available_gib < fail_below_gib:
        return fail("memory", found, "close programs: Airflow and Spark need about 3 GiB together")
    if available_gib < warn_below_gib:
        return warn(
            "memory", found, "4 GiB lets Airflow, Spark and the monitoring stack run together"
        )
    return ok("memory", found)


def check_docker(env: Mapping[str, str]) -> CheckResult:
    """`docker` and `docker compose version` (Compose v2), for the compose lab only."""
    docker = shutil.which("docker", path=env.get("PATH", ""))
    if not docker:
        return fail(
            "docker",
            "no `docker` on the PATH",
            "install Docker Desktop, or Docker Engine with the compose plugin "
            "(https://docs.docker.com/engine/install/); the embedded labs need no Docker",
        )
    completed = subprocess.run(
        [docker, "compose", "version"], capture_output=True, text=True, timeout=60, env=dict(env)
    )
    if completed.returncode != 0:
        output = (completed.stderr or completed.stdout).strip().splitlines() or ["no output"]
        return fail(
            "docker",
            f"`docker compose version` failed: {output[0]}",
            "install the Compose v2 plugin (package docker-compose-plugin)",
        )
    return ok("docker", completed.stdout.strip().splitlines()[0])


def check_spark_engine(env: Mapping[str, str]) -> CheckResult:
    """Is the warm Spark engine of `spark_default` running? (make demo/run start it.)"""
    from medallion.engine import connection_engine_port, port_open

    connection = env.get("AIRFLOW_CONN_SPARK_DEFAULT")
    port = connection_engine_port(connection) if connection else None
    if port is None:
        return ok("spark engine", "spark_default runs Spark inside each task (no engine needed)")
    if port_open(port):
        return ok("spark engine", f"running on 127.0.0.1:{port}")
    return warn(
        "spark engine",
        f"not running on 127.0.0.1:{port}",
        "make engine (make demo, run, airflow and test start it themselves)",
    )


def check_test_servers() -> CheckResult:
    """The server binaries `make test` starts throw-away servers from (nothing runs)."""
    from medallion.local_servers import postgres, redis

    missing = []
    if postgres.find_binaries() is None:
        missing.append(("PostgreSQL", postgres.INSTALL_HINT))
    if redis.find_binary() is None:
        missing.append(("Redis", redis.INSTALL_HINT))
    if not missing:
        return ok("test servers", "PostgreSQL and Redis binaries found (make test starts its own)")
    names = " and ".join(name for name, _ in missing)
    return warn(
        "test servers",
        f"no {names} binaries: their tests will skip",
        "; ".join(hint for _, hint in missing),
    )
