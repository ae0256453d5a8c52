"""The compose lab's two sizes, computed from the file as Docker Compose resolves it.

- Every service has a memory limit; the sum of a profile's limits is what Docker must be
  able to give. `laptop` must fit Docker's default share of an 8 GB laptop (4 GB), and the
  figures docker/README.md and README.md quote are the ones computed here.
- A JVM's heap fits inside its container's limit (Spark's daemons default to 1 GB).
- Airflow's containers share one JWT secret and one API secret key; a Celery worker waits
  for a healthy API server and keeps dumb-init out of its process group, as the official
  Airflow compose file does.
- The JDBC jar the Spark services load is the one spark/jars.lock pins.
"""

from __future__ import annotations

import json
import re

import pytest
from compose_tools import DOCKER_DIR, ENV_EXAMPLE, REPO, compose

from medallion.env_file import render_env

MIB = 2**20
LAPTOP_BUDGET_MIB = 4096
# name in the docs -> the profiles Docker Compose is given
SIZES = {
    "laptop": ("laptop",),
    "laptop,source": ("laptop", "source"),
    "laptop,monitoring": ("laptop", "monitoring"),
    "scale": ("scale",),
}
AIRFLOW_SHARED = ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY",
                  "AIRFLOW__CORE__FERNET_KEY")  # fmt: skip
UNITS = {"k": 2**10, "m": 2**20, "g": 2**30}


@pytest.fixture(scope="module")
def configs(tmp_path_factory) -> dict[str, dict]:
    text = render_env(ENV_EXAMPLE.read_text(encoding="utf-8"), uid=4321)
    env_file = tmp_path_factory.mktemp("sizes") / ".env"
    env_file.write_text(text.replace("\nCOMPOSE_PROFILES=laptop\n", "\nCOMPOSE_PROFILES=\n"))
    resolved = {}
    for name, profiles in SIZES.items():
        result = compose(env_file, "config", "--format", "json", profiles=profiles)
        assert result.returncode == 0, result.stderr
        resolved[name] = json.loads(result.stdout)
    return resolved


def memory_limit(service: dict) -> int:
    return int(service["deploy"]["resources"]["limits"]["memory"])


def to_bytes(size: str) -> int:
    match = re.fullmatch(r"(\d+)([kmg])", size.lower())
    assert match, f"not a JVM memory size: {size!r}"
    return int(match.group(1)) * UNITS[match.group(2)]


def sum_of_limits_mib(config: dict) -> int:
    missing = [name for name, s in config["services"].items() if "deploy" not in s]
    assert not missing, f"services without a memory limit: {missing}"
    return sum(memory_limit(s) for s in config["services"].values()) // MIB


def test_the_laptop_profile_fits_docker_on_an_8_gb_laptop(configs):
    assert sum_of_limits_mib(configs["laptop"]) <= LAPTOP_BUDGET_MIB
    # and the scale profile is the bigger one, or it would not be worth its name
    assert sum_of_limits_mib(configs["scale"]) > 2 * LAPTOP_BUDGET_MIB


@pytest.mark.parametrize("document", ["docker/README.md", "README.md"])
def test_the_docs_quote_each_profiles_sum_of_limits(configs, document):
    text = (REPO / document).read_text(encoding="utf-8")
    for name in ("laptop", "scale") if document == "README.md" else SIZES:
        figure = f"{sum_of_limits_mib(configs[name]):,} MiB"
        rows = [line for line in text.splitlines() if line.startswith(f"| `{name}` |")]
        assert rows, f"{document} has no table row for the profile `{name}`"
        assert figure in rows[0], f"{document}: `{name}` should say {figure}: {rows[0]}"


def jvm_heap(service: dict) -> int | None:
    """The heap a Spark service's JVM may take: SPARK_DAEMON_MEMORY or --driver-memory."""
    command = service.get("command") or []
    if any(part.endswith("/spark-class") for part in command):
        return to_bytes(service.get("environment", {}).get("SPARK_DAEMON_MEMORY", "1g"))
    if any(part.endswith("/spark-submit") for part in command):
        assert "--driver-memory" in command, "spark-submit without --driver-memory takes 1 GB"
        return to_bytes(command[command.index("--driver-memory") + 1])
    return None


def test_every_jvm_heap_fits_its_container(configs):
    checked = 0
    for size in ("laptop", "scale"):
        for name, service in configs[size]["services"].items():
            heap = jvm_heap(service)
            if heap is None:
                continue
            checked += 1
            # non-heap memory (metaspace, threads, direct buffers) needs room too
            assert heap <= 0.7 * memory_limit(service), f"{name}: heap {heap // MIB} MiB"
    assert checked == 4  # engine, spark-master, spark-worker, spark-connect


def test_a_spark_worker_holds_its_executors(configs):
    worker = configs["scale"]["services"]["spark-worker"]
    offered = to_bytes(worker["command"][worker["command"].index("--memory") + 1])
    daemon = to_bytes(worker["environment"]["SPARK_DAEMON_MEMORY"])
    assert daemon + offered <= memory_limit(worker)
    work_dir = worker["command"][worker["command"].index("--work-dir") + 1]
    assert work_dir.startswith("/tmp/"), "the work dir must be writable for any uid"


def test_airflow_containers_share_their_secrets(configs):
    services = configs["scale"]["services"]
    airflow = {
        name: s["environment"]
        for name, s in {**services, "airflow": configs["laptop"]["services"]["airflow"]}.items()
        if "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" in s.get("environment", {})
    }
    assert len(airflow) == 7, sorted(airflow)  # init, standalone, 4 roles, worker
    for variable in AIRFLOW_SHARED:
        values = {name: env.get(variable) for name, env in airflow.items()}
        assert len(set(values.values())) == 1 and None not in values.values(), (variable, values)


def test_the_celery_worker_waits_for_the_api_server(configs):
    worker = configs["scale"]["services"]["airflow-worker"]
    assert worker["depends_on"]["airflow-api-server"]["condition"] == "service_healthy"
    assert worker["environment"]["DUMB_INIT_SETSID"] == "0"


def test_spark_services_run_the_images_entrypoint(configs):
    """The image's entrypoint gives an unknown uid a passwd entry: no service replaces it."""
    for size in ("laptop", "scale"):
        for name, service in configs[size]["services"].items():
            if service.get("image", "").startswith("medallion-lab/"):
                assert not service.get("entrypoint"), f"{name} replaces the image's entrypoint"
    assert "chmod g+w /etc/passwd" in (DOCKER_DIR / "Dockerfile").read_text()


def test_spark_loads_the_locked_jdbc_jar(configs):
    locked = {
        f"{line.split()[0].split(':')[1]}-{line.split()[0].split(':')[2]}.jar"
        for line in (REPO / "spark" / "jars.lock").read_text().splitlines()
        if line and not line.startswith("#")
    }
    for size, name in (("laptop", "engine"), ("scale", "spark-connect")):
        command = configs[size]["services"][name]["command"]
        jars = command[command.index("--jars") + 1].split(",")
        assert {jar.rsplit("/", 1)[1] for jar in jars} == locked, (name, jars)
