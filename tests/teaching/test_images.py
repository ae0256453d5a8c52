"""The teaching pictures are generated: docs/teaching/images/draw.py must reproduce the
committed SVGs byte for byte, and each must be well-formed SVG."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest

from medallion.settings import load_settings

IMAGES = load_settings().home / "docs" / "teaching" / "images"
SVG = "{http://www.w3.org/2000/svg}"


def load_draw():
    spec = importlib.util.spec_from_file_location("teaching_images_draw", IMAGES / "draw.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DRAW = load_draw()


def test_every_committed_picture_is_drawn_by_the_script():
    committed = {path.name for path in IMAGES.glob("*.svg")}
    assert committed, f"no pictures in {IMAGES}"
    assert committed == set(DRAW.PICTURES), "draw.py and the committed SVGs disagree"


def test_every_picture_the_docs_show_exists():
    docs = load_settings().home / "docs"
    shown = {
        name
        for page in [*docs.rglob("*.md"), docs.parent / "README.md"]
        for name in re.findall(r"images/([\w.-]+\.svg)", page.read_text(encoding="utf-8"))
    }
    assert shown, "no page shows a teaching picture"
    assert shown <= set(DRAW.PICTURES), (
        f"pages show pictures nobody draws: {shown - set(DRAW.PICTURES)}"
    )


@pytest.mark.parametrize("name", sorted(DRAW.PICTURES))
def test_committed_svg_is_what_the_script_draws(name):
    committed = (IMAGES / name).read_text(encoding="utf-8")
    assert committed == DRAW.PICTURES[name](), (
        f"{name} is out of date: run `python docs/teaching/images/draw.py` and commit it"
    )


@pytest.mark.parametrize("name", sorted(DRAW.PICTURES))
def test_svg_is_well_formed_with_a_title_and_text(name):
    root = ElementTree.parse(IMAGES / name).getroot()
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text
    texts = " ".join(element.text for element in root.iter(f"{SVG}text"))
    assert "bronze" in texts and "silver" in texts and "gold" in texts


def test_the_pictures_name_what_the_issue_asks_for():
    architecture = (IMAGES / "architecture.svg").read_text(encoding="utf-8")
    for word in ["landing", "bronze", "silver", "quarantine", "gold", "Spark", "dbt", "GX",
                 "Pushgateway", "Airflow"]:  # fmt: skip
        assert word in architecture, f"architecture.svg does not mention {word}"
    one_date = (IMAGES / "one-date-through-the-layers.svg").read_text(encoding="utf-8")
    for word in ["task group bronze", "task group silver", "task group gold",
                 "ingest_date=2026-11-02", "_COMMITTED.json", "validate_silver_orders",
                 "ALL committed silver"]:  # fmt: skip
        assert word in one_date, f"one-date-through-the-layers.svg does not mention {word}"


def test_check_mode_passes_on_the_committed_pictures():
    completed = subprocess.run(
        [sys.executable, str(IMAGES / "draw.py"), "--check"], capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout
