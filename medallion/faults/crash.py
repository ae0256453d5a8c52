"""crash-mid-write: kill the silver job with SIGKILL while it is writing.

The job runs as it would by hand (`python -m spark.jobs.refine_to_silver ...`) in its own
process group. As soon as Spark's `_temporary` folder appears in the candidate it writes
(write - audit - publish: medallion/lake.py), the whole group (Python and the JVM) gets
SIGKILL: no clean-up, no `finally`, exactly like a lost machine.

What must hold afterwards: the date's published silver partition is still complete and
readable (the job only ever writes its candidate, and the candidate has no commit marker,
so no gate publishes it), and re-running the job finishes normally.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

from medallion.lake import candidate_dir, read_commit_marker

# Spark writes a job's files here inside the output folder until the job commits.
SPARK_TEMPORARY = "_temporary"


@dataclass(frozen=True)
class CrashReport:
    """What the kill interrupted."""

    killed_mid_write: bool
    staging_folders: list[str]
    seconds_to_kill: float


def kill_refine_mid_write(
    dataset: str, table: str, ds: str, timeout_seconds: float = 300
) -> CrashReport:
    """Start the silver job for one table and date; SIGKILL it once it writes."""
    writing = candidate_dir("silver", dataset, table, ds) / SPARK_TEMPORARY
    command = [sys.executable, "-m", "spark.jobs.refine_to_silver"]
    command += ["--dataset", dataset, "--table", table, "--ds", ds]
    started = time.monotonic()
    job = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while time.monotonic() - started < timeout_seconds and job.poll() is None:
            if writing.exists():
                os.killpg(job.pid, signal.SIGKILL)
                job.wait()
                return CrashReport(True, [str(writing)], round(time.monotonic() - started, 2))
            time.sleep(0.005)
    finally:
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
            job.wait()
    return CrashReport(False, [], round(time.monotonic() - started, 2))


def crash_silver_orders(ds: str) -> list[str]:
    """The scenario: kill the orders silver job of `ds` mid-write and report what survived."""
    marker = read_commit_marker("silver", "ecommerce", "orders", ds)
    if marker is None:
        raise ValueError(f"silver orders {ds} was never published: run the date first")
    report = kill_refine_mid_write("ecommerce", "orders", ds)
    if not report.killed_mid_write:
        raise RuntimeError("the job finished before it could be killed mid-write: try again")
    after = read_commit_marker("silver", "ecommerce", "orders", ds)
    return [
        f"refine_to_silver orders {ds} killed with SIGKILL after {report.seconds_to_kill} s, "
        f"while writing {', '.join(report.staging_folders)}",
        f"the commit marker still says {after['rows']:,} rows, committed at "
        f"{after['committed_at']} (unchanged: {after == marker})",
    ]
