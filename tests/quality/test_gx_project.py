"""The committed Great Expectations project is what the contracts generate, and stays so."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from medallion.quality.build_suites import main as build_suites
from medallion.quality.build_suites import orphan_files, project_files, stale_files
from medallion.quality.gates import validate_bronze
from medallion.quality.project import get_context

REPO = Path(__file__).resolve().parents[2]


def test_committed_project_matches_what_the_contracts_generate(monkeypatch):
    monkeypatch.setenv("MEDALLION_HOME", str(REPO))
    files = project_files()

    assert stale_files(files) == [], "run `python -m medallion.quality.build_suites`"
    assert orphan_files(files) == []
    # per dataset: tables x (bronze, silver, silver_reconciliation) + gold marts, 3 files each
    checks = {"ecommerce": 5 * 3 + 5, "attendance": 3 * 3 + 2, "sensors": 2 * 3 + 3}
    assert len(files) == sum(checks.values()) * 3


def test_a_contract_change_makes_the_committed_suites_stale(tmp_path, monkeypatch, capsys):
    shutil.copytree(REPO / "data" / "contracts", tmp_path / "data" / "contracts")
    shutil.copytree(
        REPO / "great_expectations",
        tmp_path / "great_expectations",
        ignore=shutil.ignore_patterns("uncommitted"),
    )
    contract = tmp_path / "data" / "contracts" / "ecommerce" / "orders.yml"
    contract.write_text(contract.read_text().replace("cancelled, returned]", "cancelled]"))
    monkeypatch.setenv("MEDALLION_HOME", str(tmp_path))

    assert build_suites(["--check"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "stale: great_expectations/expectations/silver/ecommerce/orders.json"
    )
    assert build_suites([]) == 0
    assert build_suites(["--check"]) == 0


def test_every_checkpoint_loads_and_validates_its_own_suite(lake):
    context = get_context()
    for path in project_files():
        if path.parts[0] == "checkpoints":
            name = path.stem
            (definition,) = context.checkpoints.get(name).validation_definitions
            assert (definition.name, definition.suite.name) == (name, name)
            assert definition.data.data_asset.name == name.split(".")[0]


def test_running_a_gate_writes_nothing_outside_uncommitted(lake, gx_home):
    lake.bronze("products", "2026-11-01", [
        {"product_id": "p-1", "product_name": "Lamp", "category": "home", "unit_cost": "1.00",
         "list_price": "2.00", "updated_at": datetime(2026, 11, 1)},
    ])  # fmt: skip
    project = gx_home / "great_expectations"
    before = committed_files(project)

    validate_bronze("ecommerce", "products", "2026-11-01")

    assert committed_files(project) == before
    assert (project / "uncommitted" / "data_docs" / "local_site" / "index.html").exists()


def committed_files(project: Path) -> dict[Path, bytes]:
    """Every file of the GX project outside uncommitted/, with its content."""
    return {
        path.relative_to(project): path.read_bytes()
        for path in project.rglob("*")
        if path.is_file() and path.relative_to(project).parts[0] != "uncommitted"
    }
