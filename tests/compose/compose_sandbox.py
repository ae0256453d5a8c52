"""Run a compose service's own command, as Docker would, without Docker.

`docker compose config --format json` gives each service's exact command, environment,
user and mounts. A `Sandbox` is what a compose project gives its containers, built from
Linux namespaces (needs root, as CI has):

| in a container                          | here                                             |
|-----------------------------------------|--------------------------------------------------|
| its own network; service names resolve  | one network namespace: only loopback, and an     |
|                                         | /etc/hosts naming every service 127.0.0.1        |
| the image's file system                 | this machine's, as an overlay (writes stay in    |
|                                         | the sandbox): /opt/medallion is the repository,  |
|                                         | /opt/spark the pyspark folder, /tmp its own      |
| the compose file's volumes              | bind mounts; `../data` and named volumes are     |
|                                         | scratch folders                                  |
| `user: "${AIRFLOW_UID}:0"`              | setpriv --reuid/--regid --clear-groups           |
| the image's ENTRYPOINT                  | a stand-in (`IMAGES`): the project image's uid   |
|                                         | and passwd steps (image_entrypoint.sh), the      |
|                                         | postgres image's init (postgres_entrypoint.sh),  |
|                                         | the Prometheus images' binaries from Debian      |
| a service's own `entrypoint:`           | run as it is, without the image's steps          |
| the healthcheck                         | its test command, in the same sandbox            |

The project image's environment is read from docker/Dockerfile's ENV lines, with
JAVA_HOME and PATH pointing at this machine's JDK and the project's venv.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from support.lab_processes import LabProcess, spark_env, spark_home

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PROJECT_IMAGE = "medallion-lab/"
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
CHROOT = shutil.which("chroot") or "/usr/sbin/chroot"  # a service's PATH may lack sbin


@dataclass(frozen=True)
class Image:
    """What this machine runs for an image: its entrypoint, user and own folders."""

    entrypoint: tuple[str, ...]
    user: str | None = None  # the image's USER, when the service sets none
    folders: tuple[str, ...] = ()  # folders the image creates for that user
    env: tuple[tuple[str, str], ...] = (("PATH", "/usr/local/bin:/usr/bin:/bin"),)


# Debian's packages for the official images (same programs, older versions: Prometheus
# 2.42 for 2.55, Alertmanager 0.25 for 0.27, Pushgateway 1.5 for 1.10, PostgreSQL 15 for
# 16); the images' `nobody` user and their data folders.
IMAGES = {
    "medallion-lab/airflow": Image(("bash", str(HERE / "image_entrypoint.sh"))),
    "postgres": Image(
        ("bash", str(HERE / "postgres_entrypoint.sh")),
        env=(("PATH", f"{POSTGRES_BIN}:/usr/bin:/bin"), ("PGDATA", "/var/lib/postgresql/data")),
    ),
    "prom/prometheus": Image(("/usr/bin/prometheus",), "65534:65534", ("/prometheus",)),
    "prom/pushgateway": Image(("/usr/bin/prometheus-pushgateway",), "65534:65534"),
    "prom/alertmanager": Image(
        ("/usr/bin/prometheus-alertmanager",), "65534:65534", ("/alertmanager",)
    ),
}
# The base image's own ENV that the project's Dockerfile relies on.
# Each container has a host name of its own that resolves; here the sandbox has one.
HOSTNAME = "compose-sandbox"
BASE_IMAGE_ENV = {"AIRFLOW_HOME": "/opt/airflow", "AIRFLOW_USER_HOME_DIR": "/home/airflow"}


def unescape(value: str) -> str:
    """`config` output keeps Compose's `$$` escapes; the container receives `$`."""
    return value.replace("$$", "$")


def image_environment(dockerfile: Path) -> dict[str, str]:
    """The runtime stage's ENV, with this machine's JDK and venv."""
    text = dockerfile.read_text(encoding="utf-8").split("FROM runtime AS dev")[0]
    env = dict(BASE_IMAGE_ENV)
    for instruction in re.findall(r"^ENV (.+?)(?<!\\)$", text.replace("\\\n", " "), re.M):
        for pair in shlex.split(instruction):
            name, _, value = pair.partition("=")
            env[name] = value
    env["JAVA_HOME"] = spark_env()["JAVA_HOME"]
    env["PATH"] = f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin"
    return env


@dataclass
class Service:
    name: str
    config: dict

    @property
    def image(self) -> Image:
        return IMAGES[self.config["image"].rsplit(":", 1)[0]]

    @property
    def user(self) -> tuple[int, int]:
        user = self.config.get("user") or self.image.user or "0:0"
        uid, _, gid = user.partition(":")
        return int(uid), int(gid or uid)

    @property
    def environment(self) -> dict[str, str]:
        return {k: unescape(str(v)) for k, v in (self.config.get("environment") or {}).items()}

    def argv(self) -> list[str]:
        """What the container runs: the image's entrypoint unless the service names one."""
        command = [unescape(part) for part in self.config.get("command") or []]
        entrypoint = self.config.get("entrypoint")
        if entrypoint:
            return [unescape(part) for part in entrypoint] + command
        return [*self.image.entrypoint, *command]

    def healthcheck(self) -> list[str]:
        test = self.config["healthcheck"]["test"]
        kind, rest = test[0], [unescape(part) for part in test[1:]]
        return ["/bin/sh", "-c", rest[0]] if kind == "CMD-SHELL" else rest


class Sandbox:
    """One network and mount namespace: the compose network and the image's file system."""

    def __init__(self, root: Path, services: list[Service], compose_dir: Path):
        self.root, self.services, self.compose_dir = root, services, compose_dir
        self.logs = root / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.holder: subprocess.Popen | None = None
        self.processes: dict[str, LabProcess] = {}

    @property
    def new_root(self) -> Path:
        return self.root / "fs" / "root"

    def _enter(self, *argv: str, workdir: str = "/") -> list[str]:
        """Run argv inside: the sandbox's network, mounts and root, in `workdir`."""
        return ["nsenter", "-t", str(self.holder.pid), "-n", "-m", "-u", "--",
                CHROOT, str(self.new_root),
                "sh", "-c", 'cd "$0" && exec "$@"', workdir, *argv]  # fmt: skip

    def _bind_mounts(self) -> list[tuple[Path, str]]:
        """(source, target, is a file) of every volume; `../data` and named volumes as
        scratch folders, owned by the service's user as airflow-init and the images do."""
        mounts = {}
        for service in self.services:
            for volume in service.config.get("volumes", []):
                target = volume["target"]
                if volume["type"] == "bind":
                    source = (self.compose_dir / volume["source"]).resolve()
                    if source == REPO / "data":
                        source = self.root / "data"
                else:
                    source = self.root / "volumes" / volume["source"]
                if not source.exists():
                    source.mkdir(parents=True)
                    os.chown(source, *service.user)
                assert mounts.get(target, source) == source, f"two mounts at {target}"
                mounts[target] = source
        return [(source, target, source.is_file()) for target, source in sorted(mounts.items())]

    def start(self) -> None:
        self.holder = subprocess.Popen(
            [
                "unshare",
                "--net",
                "--mount",
                "--uts",
                "--propagation",
                "private",
                "sleep",
                "infinity",
            ]
        )
        own = os.readlink("/proc/self/ns/net")
        deadline = time.monotonic() + 10
        while os.readlink(f"/proc/{self.holder.pid}/ns/net") == own:
            assert time.monotonic() < deadline, "unshare did not create a network namespace"
            time.sleep(0.05)
        names = " ".join(service.name for service in self.services)
        fs, root = self.root / "fs", self.new_root
        fs.mkdir(parents=True)
        script = ["set -e", "ip link set lo up", f"hostname {HOSTNAME}",
                  f"mount -t tmpfs tmpfs {fs}", f"mkdir {fs}/upper {fs}/work {root}",
                  f"mount -t overlay overlay -o lowerdir=/,upperdir={fs}/upper,"
                  f"workdir={fs}/work {root}",
                  *(f"mount --rbind /{name} {root}/{name}" for name in ("proc", "dev", "sys")),
                  f"mount -t tmpfs -o mode=1777 tmpfs {root}/tmp",
                  f"echo '127.0.0.1 localhost {HOSTNAME} {names}' > {root}/etc/hosts",
                  # the project image: /etc/passwd writable by group 0, its folders
                  f"chmod g+w {root}/etc/passwd",
                  f"install -d -m 775 -o 50000 -g 0 {root}/opt/medallion {root}/opt/airflow "
                  f"{root}/home/airflow",
                  f"ln -sfn {spark_home()} {root}/opt/spark",
                  f"mount --bind {REPO} {root}/opt/medallion",
                  f"mount -o remount,bind,ro {root}/opt/medallion"]  # fmt: skip
        # The image's Python is for every user; a pyenv Python under /root is not.
        if Path(sys.base_prefix).is_relative_to("/root"):
            script.append(f"chmod 755 {root}/root")
        for service in self.services:
            uid, gid = service.user
            script += [f"install -d -o {uid} -g {gid} {root}{folder}"
                       for folder in service.image.folders]  # fmt: skip
        for source, target, is_file in self._bind_mounts():
            if not source.exists():
                source.mkdir(parents=True)
            make = f"touch {root}{target}" if is_file else f"mkdir -p {root}{target}"
            script += [f"mkdir -p {root}{Path(target).parent}", make,
                       f"mount --bind {source} {root}{target}"]  # fmt: skip
        setup = ["nsenter", "-t", str(self.holder.pid), "-n", "-m", "--uts", "--",
                 "sh", "-c", "\n".join(script)]  # fmt: skip
        subprocess.run(setup, check=True, timeout=60)

    def run(self, service: Service, project_env: dict[str, str]) -> LabProcess:
        """Start the service; `project_env` is the project image's environment."""
        uid, gid = service.user
        argv = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                *service.argv()]  # fmt: skip
        own = project_env if service.image is IMAGES["medallion-lab/airflow"] else {}
        env = {**dict(service.image.env), **own, **service.environment, "HOSTNAME": service.name}
        workdir = service.config.get("working_dir", own.get("MEDALLION_HOME", "/"))
        process = LabProcess(service.name, self._enter(*argv, workdir=workdir), env, self.logs)
        self.processes[service.name] = process.start()
        return process

    def healthy(self, service: Service) -> bool:
        probe = subprocess.run(
            self._enter(*service.healthcheck()), capture_output=True, timeout=30, check=False
        )
        return probe.returncode == 0

    def wait_until_healthy(self, timeout_seconds: float) -> dict[str, str]:
        """{service: its log's tail} for every service that exited or was not healthy in
        time (empty: all healthy)."""
        waiting = {service.name: service for service in self.services}
        failed = {}
        deadline = time.monotonic() + timeout_seconds
        while waiting and time.monotonic() < deadline:
            for name, service in list(waiting.items()):
                if self.healthy(service):
                    del waiting[name]
                elif self.processes[name].process.poll() is not None:
                    failed[name] = waiting.pop(name)
            time.sleep(1)
        return {name: self.processes[name].tail(2500) for name in [*failed, *waiting]}

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop(grace_seconds=5)
        if self.holder is not None:
            with contextlib.suppress(ProcessLookupError):
                self.holder.kill()
            self.holder.wait(5)
