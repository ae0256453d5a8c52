"""Run the commands of a lab document, in order, in a scratch copy of the repository.

The convention (also at the top of docs/labs/README.md):

- a fenced block tagged `bash` is run; every non-empty line that is not a comment is one
  command, run with `bash -c` from the repository root, in document order (a fresh shell
  each: `cd` and `export` do not carry over; a line may not continue with a backslash);
- a command ending in `# fails until you finish the lab` must exit non-zero (it shows a
  participant what an unfinished lab looks like); every other command must exit 0;
- a block tagged `text` is output shown to the reader, never run.

The copy holds the repository's tracked and untracked-but-not-ignored files (mtimes kept,
so make sees an installed environment as up to date), with `.venv` linked to the real
one. MEDALLION_HOME, MEDALLION_DATA_DIR and AIRFLOW_HOME point inside the copy, and
PYTHONPATH puts the copy's packages before the editable install, so every command imports
the copy's code: the lab's starter files, not the repository's solution.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

FAILS_MARKER = "# fails until you finish the lab"
_BLOCK = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", flags=re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Command:
    line: str
    must_fail: bool


@dataclass(frozen=True)
class Outcome:
    command: Command
    exit_code: int
    output: str
    seconds: float

    @property
    def as_expected(self) -> bool:
        return (self.exit_code != 0) if self.command.must_fail else (self.exit_code == 0)


def document_commands(text: str) -> list[Command]:
    """The commands of every `bash` block of a lab document, in document order."""
    commands = []
    for tag, body in _BLOCK.findall(text):
        if tag != "bash":
            continue
        for raw in body.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.endswith("\\"):
                raise ValueError(f"one command per line, no continuation with a backslash: {line}")
            must_fail = line.endswith(FAILS_MARKER)
            if must_fail:
                line = line[: -len(FAILS_MARKER)].rstrip()
            commands.append(Command(line, must_fail))
    return commands


def copy_repository(repo: Path, target: Path) -> Path:
    """Copy the files git would see (tracked, and untracked but not ignored) to `target`."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=repo,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = repo / relative
        if source.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)
    # The real environment, so `make` finds it installed and does not build another.
    (target / ".venv").symlink_to((repo / ".venv").resolve(), target_is_directory=True)
    (target / ".tools").symlink_to((repo / ".tools").resolve(), target_is_directory=True)
    # ... even where the checkout is newer than the install (a fresh worktree): what the
    # environment was installed from must not look newer than the install to make.
    installed = (target / ".venv" / ".installed", target / ".tools" / "bin" / "uv")
    before_install = min(path.stat().st_mtime_ns for path in installed) - 10**9
    for name in (
        "requirements.txt",
        "requirements.lock",
        "requirements-tools.lock",
        "pyproject.toml",
    ):
        os.utime(target / name, ns=(before_install, before_install))
    return target


def scratch_environment(copy: Path) -> dict[str, str]:
    """The environment of every command: all paths inside the copy, no metrics pushed."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SPARK_CONNECT_MODE_ENABLED", "SPARK_REMOTE", "SPARK_LOCAL_REMOTE")
    }
    env.update(
        MEDALLION_HOME=str(copy),
        MEDALLION_DATA_DIR=str(copy / "data"),
        AIRFLOW_HOME=str(copy / ".airflow"),
        AIRFLOW__CORE__DAGS_FOLDER=str(copy / "airflow" / "dags"),
        PYTHONPATH=str(copy),
        PATH=f"{copy / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        MEDALLION_PUSHGATEWAY_URL="",
    )
    return env


def run_command(command: Command, copy: Path, env: dict[str, str], timeout: int) -> Outcome:
    started = time.monotonic()
    result = subprocess.run(
        ["bash", "-c", command.line],
        cwd=copy,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    return Outcome(command, result.returncode, result.stdout, time.monotonic() - started)


def explain(outcome: Outcome) -> str:
    """What went wrong with one command, for the test's failure message."""
    wanted = "a non-zero exit (marked as failing)" if outcome.command.must_fail else "exit 0"
    return (
        f"`{outcome.command.line}` exited {outcome.exit_code}, expected {wanted} "
        f"({outcome.seconds:.0f} s). Last lines of its output:\n{outcome.output[-3000:]}"
    )
