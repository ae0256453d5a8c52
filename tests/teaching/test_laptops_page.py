"""docs/teaching/laptops.md states what the checks check, and its commands exist.

The minimums it quotes are the line `make check-env` prints (built from the figures the
checks judge by); the ports it lists are the ports the check probes; the make targets and
the `PYTHON=` override it relies on are in the Makefile. What cannot run here (Homebrew,
WSL) is kept to the steps that differ. Static, well under a second.
"""

from __future__ import annotations

import re
import tomllib

from medallion.settings import load_settings
from medallion.teaching.env_check import needs_line
from medallion.teaching.service_checks import PROJECT_PORTS

HOME = load_settings().home
PAGE = HOME / "docs" / "teaching" / "laptops.md"


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def test_the_minimums_are_the_ones_check_env_prints():
    line = needs_line(HOME)
    assert f"```text\n{line}\n```" in page()
    # Independent of the page and of check-env: pyproject.toml read as TOML.
    requires_python = tomllib.loads((HOME / "pyproject.toml").read_text())["project"][
        "requires-python"
    ]
    assert "Java 17" in line and f"Python {requires_python}," in line


def test_every_port_the_check_probes_is_listed():
    listed = {int(port) for port in re.findall(r"\b(\d{4,5})\b \(", page())}
    listed |= {int(port) for port in re.findall(r"\b(1\d{4})\b", page())}
    missing = [port.port for port in PROJECT_PORTS if port.port not in listed]
    assert not missing, f"{PAGE.name} does not list ports {missing}"


def test_the_make_targets_and_the_python_override_exist():
    makefile = (HOME / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))
    named = set(re.findall(r"(?:`|^)make ([a-z][a-z-]*)", page(), flags=re.MULTILINE))
    assert {"setup", "check-env", "class-report"} <= named <= targets
    assert re.search(r"^PYTHON \?= ", makefile, flags=re.MULTILINE)
    assert "$(PYTHON) -m venv" in makefile
