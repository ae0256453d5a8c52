"""A delivered file's name reaches the generated DAG's docstring as text, never as code."""

from __future__ import annotations

import ast
import shutil

import pytest
from support.airflow import REPO

from medallion.scaffold import project_files


@pytest.mark.parametrize(
    "name",
    ['a"""; import os; os.system("touch pwned") #.csv', "back\\slash\\.csv", 'quote"\\".csv'],
)
def test_a_file_name_with_quotes_stays_in_the_docstring(tmp_path, monkeypatch, name):
    monkeypatch.setenv("MEDALLION_HOME", str(tmp_path))
    shutil.copytree(
        REPO / "data" / "contracts" / "ecommerce", tmp_path / "data" / "contracts" / "shop"
    )

    path = project_files.write_dag("shop", name, "2026-11-01")

    module = ast.parse(path.read_text(encoding="utf-8"))
    assert f"`{name}`" in ast.get_docstring(module)
    imported = [node for node in module.body if isinstance(node, ast.Import | ast.ImportFrom)]
    assert "os" not in {alias.name for node in imported for alias in node.names}
