"""Every CSS and JavaScript file GX's Data Docs templates load has a local copy.

The addresses come from the installed Great Expectations' own page templates, so a GX
upgrade that names a new file or version fails here, not in a classroom without internet.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from support.services import require

from medallion.quality.offline_assets import (
    VENDOR_URL,
    MissingAssetsError,
    check_installed,
    localise,
    vendor_dir,
)

# Scripts only GX's profiling pages use (charts); this project builds none.
UNUSED = ("https://cdn.jsdelivr.net/npm/vega",)
STYLE_OR_SCRIPT = re.compile(
    r"https://[^\"' )]+\.(?:css|js)\b|https://cdn\.jsdelivr\.net/npm/[^\"' )]+"
)


def template_assets() -> set[str]:
    # Found without importing GX (seconds): only its template files are read.
    [package] = importlib.util.find_spec("great_expectations").submodule_search_locations
    templates = Path(package) / "render" / "view" / "templates"
    found = set()
    for template in templates.rglob("*"):
        if template.is_file():
            found.update(STYLE_OR_SCRIPT.findall(template.read_text(errors="replace")))
    return {url for url in found if not url.startswith(UNUSED)}


def test_every_asset_gx_pages_load_is_served_from_an_installed_package():
    require(vendor_dir().is_dir(), "run `make docs-assets` (npm) to install them")
    assets = template_assets()
    assert len(assets) >= 10, assets  # jQuery, Bootstrap, bootstrap-table, ... (not vega)
    for url in assets:
        local = localise(f'<script src="{url}"></script>')
        assert url not in local, f"{url} has no local copy (offline_assets.CDN_TO_PACKAGE)"
        path = local.split(VENDOR_URL, 1)[1].split('"', 1)[0]
        assert (vendor_dir() / path).is_file(), f"{url} -> {path}: not in {vendor_dir()}"


def test_missing_packages_name_the_command_that_installs_them(tmp_path):
    with pytest.raises(MissingAssetsError, match="make docs"):
        check_installed(tmp_path)
