"""Does the lock install and import on another Python? A throw-away venv answers.

    make check-python PY=3.12          # or PY=3.13, or PY=/path/to/python3.12

creates a virtual environment with that Python in a temporary folder, installs
requirements.lock into it with uv (exactly as `make setup` does), imports Airflow, PySpark,
dbt, Great Expectations, DuckDB and every module of this project, parses the DAGs, prints
the seconds of each step and deletes the folder. Standard library only: it runs with the
Python of .tools/, before any project venv exists.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UV = ROOT / ".tools" / "bin" / "uv"  # make setup installs it there

# Run by the throw-away venv's Python: the stack, our packages, the DAGs.
IMPORT_CHECK = """
import importlib, pkgutil, sys
import airflow, pyspark, dbt.cli.main, great_expectations, duckdb
for package in ("medallion", "spark", "monitoring"):
    root = importlib.import_module(package)
    for module in pkgutil.walk_packages(root.__path__, package + "."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
if bag.import_errors or not bag.dags:
    sys.exit(f"DAGs did not parse: {bag.import_errors or 'no DAGs found'}")
print(f"  Python {sys.version.split()[0]}: pyspark {pyspark.__version__},",
      f"airflow {airflow.__version__}, duckdb {duckdb.__version__},",
      f"great_expectations {great_expectations.__version__}; {len(bag.dags)} DAGs parsed")
"""


def find_python(wanted: str) -> str:
    """The interpreter for PY=3.12 (on the PATH or under pyenv), or PY given as a path."""
    if os.sep in wanted:
        candidates = [wanted]
    else:
        pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
        candidates = [shutil.which(f"python{wanted}") or ""]
        candidates += sorted(glob.glob(f"{pyenv}/{wanted}.*/bin/python{wanted}"), reverse=True)
    for candidate in filter(None, candidates):
        if subprocess.run([candidate, "-V"], capture_output=True).returncode == 0:
            return candidate
    sys.exit(
        f"Python {wanted} was not found: install it (pyenv install {wanted}, apt or brew) "
        f"or name it, e.g. make check-python PY=/usr/bin/python{wanted}"
    )


def step(name: str, command: list[str], **kwargs) -> None:
    """Run one step and print its seconds; on failure print the end of its output and stop."""
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, **kwargs)
    print(f"  {name}: {time.monotonic() - started:.1f} s", flush=True)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        print("\n".join(output[-30:]), file=sys.stderr)
        sys.exit(f"check-python failed at '{name}' (its output is above)")
    if result.stdout.strip():
        print(result.stdout.strip().splitlines()[-1])


def check(wanted: str) -> None:
    python = find_python(wanted)
    started = time.monotonic()
    print(f"check-python: requirements.lock with {python}")
    with tempfile.TemporaryDirectory(prefix="check-python-") as folder:
        venv = Path(folder) / "venv"
        target = ["--python", str(venv / "bin" / "python")]
        install = [str(UV), "pip", "sync", "--quiet", "--require-hashes"]
        build = ["--build-constraints", "requirements-tools.lock"]
        step("venv", [str(UV), "venv", "--quiet", "--python", python, str(venv)])
        step("install the lock", [*install, *build, *target, "requirements.lock"])
        editable = [str(UV), "pip", "install", "--quiet", "--no-deps", *build, *target, "-e", "."]
        step("install this project", editable)
        environment = {**os.environ, "AIRFLOW_HOME": str(Path(folder) / "airflow")}
        dags = str(ROOT / "airflow" / "dags")
        imports = [str(venv / "bin" / "python"), "-c", IMPORT_CHECK, dags]
        step("import the stack and parse the DAGs", imports, env=environment)
    print(f"check-python {wanted}: OK in {time.monotonic() - started:.0f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("python", help="a version (3.12, 3.13) or the path of an interpreter")
    check(parser.parse_args(argv).python)


if __name__ == "__main__":
    main()
