"""Run a compose service's own command, as Docker would, without Docker.

`docker compose config --format json` gives each service's exact command, environment,
user and mounts. A `Sandbox` is what a compose project gives its containers, built from
Linux namespaces (needs root, as CI has):

| in a container                              | here                                      |
|---------------------------------------------|-------------------------------------------|
| its own network; service names resolve      | one network namespace: only loopback, an  |
|                                             | /etc/hosts naming every service 127.0.0.1 |
| the image's file system                     | a mount namespace: /opt/medallion is the  |
|                                             | repository, /opt/spark the pyspark folder,|
|                                             | /opt/airflow and /home/airflow and /tmp   |
|                                             | private, /etc/passwd a private copy       |
| the compose file's volumes                  | bind mounts; `../data` is a scratch copy  |
| `user: "${AIRFLOW_UID}:0"`                  | setpriv --reuid/--regid --clear-groups    |
| the image's ENTRYPOINT                      | image_entrypoint.sh: its uid and passwd   |
|                                             | steps, then bash/python/airflow as the    |
|                                             | official Airflow entrypoint dispatches    |
| a service's own `entrypoint:`               | run as it is, without the image's steps   |
| the healthcheck                             | its test command, in the same namespaces  |

The image's environment is read from docker/Dockerfile's ENV lines, with JAVA_HOME and
PATH pointing at this machine's JDK and the project's venv.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from support.lab_processes import LabProcess, spark_env, spark_home

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
IMAGE_ENTRYPOINT = HERE / "image_entrypoint.sh"
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
    def user(self) -> tuple[int, int]:
        uid, _, gid = self.config.get("user", "50000:0").partition(":")
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
        return ["bash", str(IMAGE_ENTRYPOINT), *command]

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

    def _enter(self, *argv: str, workdir: str = "/") -> list[str]:
        # chdir after entering the mount namespace: the working dir exists only inside
        return ["nsenter", "-t", str(self.holder.pid), "-n", "-m", "--",
                "sh", "-c", 'cd "$0" && exec "$@"', workdir, *argv]  # fmt: skip

    def _bind_mounts(self) -> list[tuple[Path, str]]:
        """(source, target) of every volume, `../data` and named volumes as scratch dirs."""
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
                assert mounts.get(target, source) == source, f"two mounts at {target}"
                mounts[target] = source
        return [(source, target) for target, source in sorted(mounts.items())]

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
        passwd, hosts = self.root / "passwd", self.root / "hosts"
        passwd.write_text(Path("/etc/passwd").read_text())
        passwd.chmod(0o664)  # the image's /etc/passwd: writable by group 0
        names = " ".join(service.name for service in self.services)
        hosts.write_text(f"127.0.0.1 localhost {HOSTNAME} {names}\n")
        script = ["set -e", "ip link set lo up", f"hostname {HOSTNAME}",
                  f"mount --bind {passwd} /etc/passwd", f"mount --bind {hosts} /etc/hosts",
                  "mount -t tmpfs -o mode=755 tmpfs /opt", "mount -t tmpfs -o mode=755 tmpfs /home",
                  "install -d -m 775 -o 50000 -g 0 /opt/medallion /opt/airflow /home/airflow",
                  f"ln -s {spark_home()} /opt/spark",
                  f"mount --bind {REPO} /opt/medallion",
                  "mount -o remount,bind,ro /opt/medallion"]  # fmt: skip
        script += self._python_for_every_user()
        for source, target in self._bind_mounts():
            if not source.exists():
                source.mkdir(parents=True)
                os.chown(source, self.services[0].user[0], 0)
            script += [f"mkdir -p {target}", f"mount --bind {source} {target}"]
        # a container's own /tmp, after every bind from the test's /tmp
        script.append("mount -t tmpfs -o mode=1777 tmpfs /tmp")
        subprocess.run(self._enter("sh", "-c", "\n".join(script)), check=True, timeout=30)

    def _python_for_every_user(self) -> list[str]:
        """The image's Python is readable by every uid; a pyenv Python under /root is not:
        inside the sandbox, /root holds only that Python."""
        prefix = Path(sys.base_prefix)
        if not prefix.is_relative_to("/root"):
            return []
        staged = self.root / "python"
        staged.mkdir()
        return [f"mount --bind {prefix} {staged}", "mount -t tmpfs -o mode=755 tmpfs /root",
                f"mkdir -p {prefix}", f"mount --move {staged} {prefix}"]  # fmt: skip

    def run(self, service: Service, image_env: dict[str, str]) -> LabProcess:
        uid, gid = service.user
        argv = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                *service.argv()]  # fmt: skip
        env = {**image_env, **service.environment, "HOSTNAME": service.name}
        workdir = service.config.get("working_dir", image_env.get("MEDALLION_HOME", "/"))
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
