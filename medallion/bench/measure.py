"""Run one stage as its own process and measure it: wall time, peak memory, its answer.

A stage is a child process (`python -m medallion.bench.stage ...`, or any command), so
every stage pays its own start-up exactly as an Airflow task does under a real executor,
and its memory is its own. Peak memory is the largest resident set of the whole process
tree (the Python process plus the Java VM Spark starts), sampled every 50 ms with psutil.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

SAMPLE_SECONDS = 0.05


class StageFailedError(RuntimeError):
    """A stage's process exited with an error; the message names its log file."""


@dataclass
class Measurement:
    """What one stage cost, and what it reported about its work (`answer`)."""

    name: str
    seconds: float
    peak_rss_mb: float
    rows: int = 0
    answer: dict = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict:
        return {**asdict(self), "rows_per_second": round(self.rows_per_second, 1)}


def stage_command(*arguments: str) -> list[str]:
    """The command line of a stage run by medallion.bench.stage in a fresh interpreter."""
    return [sys.executable, "-m", "medallion.bench.stage", *arguments]


def measure(name: str, command: list[str], env: dict[str, str], log_dir: Path) -> Measurement:
    """Run `command`, wait for it, and return its cost.

    The child's stderr goes to `<log_dir>/<name>.log`, its stdout to `<name>.out`; the last
    line of its stdout, if it is JSON, is its answer (for example the rows it processed).
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name.replace('/', '.')}.log"
    # stdout goes to a file, not a pipe: a child printing more than a pipe holds (Airflow
    # does) would block until someone reads it, and this loop only samples memory.
    out_path = log_path.with_suffix(".out")
    with log_path.open("w", encoding="utf-8") as log, out_path.open("w+", encoding="utf-8") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=log, text=True)
        peak = _watch_peak_rss(process)
        process.wait()
        seconds = time.perf_counter() - started
        out.seek(0)
        stdout = out.read()
    if process.returncode != 0:
        raise StageFailedError(
            f"stage {name} failed (exit code {process.returncode}); see {log_path}:\n"
            + _tail(log_path)
        )
    answer = _last_json_line(stdout)
    return Measurement(
        name=name,
        seconds=round(seconds, 3),
        peak_rss_mb=round(peak / 2**20, 1),
        rows=int(answer.get("rows", 0)),
        answer=answer,
    )


def _watch_peak_rss(process: subprocess.Popen) -> int:
    """Largest summed RSS of the process and its descendants while it runs, in bytes."""
    import psutil

    try:
        root = psutil.Process(process.pid)
    except psutil.NoSuchProcess:
        return 0
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(root, psutil))
        time.sleep(SAMPLE_SECONDS)
    return peak


def _tree_rss(root, psutil) -> int:
    """RSS of a process and its children now; processes that just exited count as 0."""
    total = 0
    try:
        members = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue  # exited between listing and reading: it holds no memory any more
    return total


def _last_json_line(stdout: str) -> dict:
    lines = [line for line in stdout.strip().splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def _tail(path: Path, lines: int = 15) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def child_environment(home: Path, data_dir: Path) -> dict[str, str]:
    """The environment of a stage: this one, pointed at the bench's home and data folder.

    Metrics are not pushed: a Pushgateway that is down would only add its time-outs.
    """
    env = dict(os.environ)
    env.update({"MEDALLION_HOME": str(home), "MEDALLION_DATA_DIR": str(data_dir)})
    env.pop("MEDALLION_PUSHGATEWAY_URL", None)
    return env
