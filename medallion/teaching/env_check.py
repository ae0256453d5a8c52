"""Lab 0: check that this machine is ready for the workshop, and say what to fix.

    python -m medallion.teaching.env_check              the embedded labs (no Docker)
    python -m medallion.teaching.env_check --compose    also Docker and Compose v2
    python -m medallion.teaching.env_check --require-ui a stopped Airflow UI is a failure

One line per check, `[ok]`, `[warn]` or `[fail]`, with the fix after "Fix:". The exit code
is 1 when any check fails, so `make check-env && make demo` stops at a broken machine.
Warnings (the Airflow UI not started yet, little disk) do not fail the check. The last
line is for the class chat (`make check-env WHO="Your Name"`); the lecturer's
`make class-report` reads the pasted lines (medallion/teaching/class_report.py).

It runs with any Python 3 and no installed packages, so it can also say that the virtual
environment is missing; `make check-env` runs it with the project's environment set.
"""

from __future__ import annotations

import argparse
import getpass
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from medallion.settings import load_settings
from medallion.teaching import service_checks as services
from medallion.teaching import toolchain_checks as toolchain
from medallion.teaching.checks import FAIL, WARN, CheckResult
from medallion.teaching.class_report import report_line


def run_checks(
    env: Mapping[str, str], home: Path, compose: bool, require_ui: bool
) -> Iterator[CheckResult]:
    """Every check, in the order a participant fixes things: Python first, services last."""
    version, prefix, base_prefix, python = toolchain.running_python()
    yield toolchain.check_python(version, toolchain.requires_python(home / "pyproject.toml"))
    yield toolchain.check_venv(prefix, base_prefix, home)
    yield toolchain.check_packages(python, home / "requirements.txt")
    yield toolchain.check_java(env)
    yield toolchain.check_dbt(env, home / "requirements.txt")
    yield services.check_airflow_db(env, home)
    yield services.check_airflow_ui(services.AIRFLOW_UI, required=require_ui)
    yield services.check_spark_engine(env)
    yield services.check_test_servers()
    yield services.check_ports()
    yield services.check_disk(home)
    yield services.check_memory(services.available_memory_gib())
    if compose:
        yield services.check_docker(env)


def needs_line(home: Path) -> str:
    """What a laptop needs, from the figures the checks judge by."""
    return (
        f"Needs: Python {toolchain.requires_python(home / 'pyproject.toml')}, "
        f"Java {toolchain.JAVA_RELEASE}, "
        f"{services.MEMORY_MIN_GIB} GiB free memory ({services.MEMORY_GOOD_GIB} comfortable), "
        f"{services.DISK_MIN_GIB} GiB free disk ({services.DISK_GOOD_GIB} comfortable)"
    )


def default_who(home: Path) -> str:
    """The name git commits under, else the login name: who the chat line is from."""
    try:
        name = subprocess.run(
            ["git", "config", "user.name"], cwd=home, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except OSError:
        name = ""
    return name or getpass.getuser()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compose", action="store_true", help="also check Docker Compose")
    parser.add_argument(
        "--require-ui", action="store_true", help="fail when the Airflow UI does not answer"
    )
    parser.add_argument("--who", help="your name in the class chat line (default: git's user.name)")
    args = parser.parse_args(argv)
    home = load_settings().home
    print(f"Checking this machine for medallion-lab ({home})", flush=True)
    print(needs_line(home), flush=True)
    results = []
    for result in run_checks(os.environ, home, args.compose, args.require_ui):
        print(result.line(), flush=True)
        results.append(result)
    failures = sum(result.status == FAIL for result in results)
    warnings = sum(result.status == WARN for result in results)
    print(f"{len(results)} checks: {failures} failed, {warnings} warnings")
    print("Paste this line into the class chat:")
    print(report_line(args.who or default_who(home), results))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
