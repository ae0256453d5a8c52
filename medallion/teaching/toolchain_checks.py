"""Checks of the tools a participant installs: Python, Java, the virtual environment, dbt.

Each function looks at one thing and returns a `CheckResult`. What it looks at is passed
in (the environment variables, the project folder, the Python to ask), so a test can point
a check at a real folder or PATH that lacks the thing, instead of pretending.

Only the standard library is imported: the check must also run with a system Python,
before `make setup` has built the virtual environment, to say that it is missing.
"""

from __future__ import annotations

import operator
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from medallion.teaching.checks import CheckResult, fail, ok, warn

JAVA_RELEASE = 17
JAVA_INSTALL = "sudo apt-get install openjdk-17-jre-headless (macOS: brew install openjdk@17)"
SETUP = "run `make setup`"

# The packages every lab imports: their distribution name in requirements.txt, and a module
# whose import proves the installation works (pyspark breaks on import when pyspark and
# pyspark-client differ, which is why an import, not a look-up, is the test).
LAB_PACKAGES = {
    "apache-airflow": "airflow",
    "pyspark": "pyspark",
    "dbt-core": "dbt.version",
    "great-expectations": "great_expectations",
}
IMPORT_TIMEOUT_SECONDS = 120
COMPARISONS = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


def requires_python(pyproject: Path) -> str:
    """The `requires-python` of pyproject.toml, e.g. ">=3.11,<3.14"."""
    # A regular expression, not tomllib: an older Python must still get its answer.
    text = pyproject.read_text(encoding="utf-8")
    return re.search(r'^requires-python\s*=\s*"([^"]+)"', text, re.MULTILINE).group(1)


def _satisfies(version: tuple[int, int], specifier: str) -> bool:
    """Whether `version` meets a specifier made of >=, >, <=, <, == clauses on X.Y."""
    for clause in specifier.split(","):
        match = re.fullmatch(r"\s*(>=|<=|==|>|<)\s*(\d+)\.(\d+)\s*", clause)
        if not match:
            raise ValueError(f"requires-python clause not understood: {clause!r}")
        compare, major, minor = COMPARISONS[match.group(1)], match.group(2), match.group(3)
        if not compare(version, (int(major), int(minor))):
            return False
    return True


def check_python(version: tuple[int, int], specifier: str) -> CheckResult:
    """The running Python against pyproject's requires-python."""
    found = f"Python {version[0]}.{version[1]}"
    if _satisfies(version, specifier):
        return ok("python", found)
    return fail(
        "python",
        f"{found}, the project needs {specifier}",
        "install Python 3.11 (sudo apt-get install python3.11 python3.11-venv), then "
        "`make clean setup PYTHON=python3.11`",
    )


def java_release(java: str) -> int | None:
    """The major release of a `java` binary (17 for 'openjdk version "17.0.15"'), or None."""
    completed = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    # java -version writes to stderr; the first quoted number is the release.
    match = re.search(r'version "(\d+)(?:\.(\d+))?', completed.stderr + completed.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 else major  # "1.8.0" is Java 8


def check_java(env: Mapping[str, str]) -> CheckResult:
    """Java 17 for Spark, preferably named by JAVA_HOME (another JDK may be first on PATH)."""
    java_home = env.get("JAVA_HOME", "")
    on_path = shutil.which("java", path=env.get("PATH", ""))
    if java_home:
        java = Path(java_home) / "bin" / "java"
        if not java.exists():
            return fail(
                "java",
                f"JAVA_HOME={java_home} has no bin/java",
                "point JAVA_HOME at a Java 17 installation, e.g. "
                "export JAVA_HOME=$(dirname $(dirname $(readlink -f $(command -v java))))",
            )
        where = f"JAVA_HOME={java_home}"
    elif on_path:
        java, where = Path(on_path), f"{on_path} (JAVA_HOME is not set)"
    else:
        return fail("java", "no `java` on the PATH and JAVA_HOME is not set", JAVA_INSTALL)
    release = java_release(str(java))
    if release == JAVA_RELEASE and java_home:
        return ok("java", f"Java {release} at {where}")
    if release == JAVA_RELEASE:
        return warn(
            "java",
            f"Java {release} at {where}",
            "make targets set JAVA_HOME for you; outside make, export "
            "JAVA_HOME=$(dirname $(dirname $(readlink -f $(command -v java))))",
        )
    if release is not None and release > JAVA_RELEASE:
        return warn("java", f"Java {release} at {where}; the labs are tested on 17", JAVA_INSTALL)
    return fail("java", f"Java {release or '(unknown version)'} at {where}", JAVA_INSTALL)


def check_venv(prefix: Path, base_prefix: Path, home: Path) -> CheckResult:
    """The running Python is the project's .venv, and `make setup` finished installing it."""
    venv = home / ".venv"
    if not (venv / ".installed").exists():
        return fail("virtual environment", f"{venv} is missing or not fully installed", SETUP)
    if prefix.resolve() == venv.resolve():
        return ok("virtual environment", f"{venv} (active, installed)")
    if prefix.resolve() != base_prefix.resolve():
        found = f"another virtual environment is active: {prefix}"
        return fail(
            "virtual environment", found, f"`deactivate`, then `source {venv}/bin/activate`"
        )
    return fail(
        "virtual environment",
        f"{venv} is installed but not active (this is {prefix})",
        f"`source {venv}/bin/activate`, or run the command through make (`make check-env`)",
    )


def pinned_versions(requirements: Path) -> dict[str, str]:
    """`name==version` lines of a requirements file, as {name: version}."""
    pins = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\s*([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s#;]+)", line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def check_packages(
    python: str, requirements: Path, packages: Mapping[str, str] = LAB_PACKAGES
) -> CheckResult:
    """Each of `packages` ({distribution: module}) imports in `python` at its pinned version."""
    pins = pinned_versions(requirements)
    problems, found = [], []
    for distribution, module in packages.items():
        script = f"import {module}, importlib.metadata as m; print(m.version({distribution!r}))"
        completed = subprocess.run(
            [python, "-c", script], capture_output=True, text=True, timeout=IMPORT_TIMEOUT_SECONDS
        )
        if completed.returncode != 0:
            last_line = (completed.stderr.strip().splitlines() or ["no output"])[-1]
            problems.append(f"{module} does not import ({last_line})")
            continue
        version = completed.stdout.strip().splitlines()[-1]
        if version != pins.get(distribution):
            problems.append(f"{distribution} {version}, pinned {pins.get(distribution)}")
        found.append(f"{distribution} {version}")
    if problems:
        return fail("packages", "; ".join(problems), f"{SETUP} (after `make clean` if it persists)")
    return ok("packages", ", ".join(found))


def check_dbt(env: Mapping[str, str], requirements: Path) -> CheckResult:
    """`dbt --version` runs, and reports the pinned dbt-core."""
    dbt = shutil.which("dbt", path=env.get("PATH", ""))
    if not dbt:
        return fail("dbt", "no `dbt` on the PATH", f"{SETUP}, then `source .venv/bin/activate`")
    completed = subprocess.run(
        [dbt, "--version"], capture_output=True, text=True, timeout=120, env=dict(env)
    )
    pinned = pinned_versions(requirements).get("dbt-core", "?")
    match = re.search(r"installed:\s*(\S+)", completed.stdout)
    if completed.returncode != 0 or not match:
        output = (completed.stderr or completed.stdout).strip().splitlines() or ["no output"]
        return fail("dbt", f"`dbt --version` failed: {output[-1]}", SETUP)
    if match.group(1) != pinned:
        return fail("dbt", f"{dbt} is dbt-core {match.group(1)}, pinned {pinned}", SETUP)
    return ok("dbt", f"`dbt --version`: dbt-core {match.group(1)} ({dbt})")


def running_python() -> tuple[tuple[int, int], Path, Path, str]:
    """The running interpreter: (major, minor), sys.prefix, sys.base_prefix, executable."""
    version = (sys.version_info[0], sys.version_info[1])
    return version, Path(sys.prefix), Path(sys.base_prefix), sys.executable
