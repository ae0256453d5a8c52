"""Data Docs work without internet: the home page lists every gate's result page.

Reuses the two ecommerce runs of the integration suite (their gates wrote the Data Docs
and the gate records). The Data Docs server of `make docs` runs in this process; Chromium
opens its home page with every request that leaves 127.0.0.1 refused, as in a classroom
without internet. GX's home page draws its list of results with bootstrap-table: with
the CDN copies unreachable and no local ones it lists nothing.

Screenshots are kept in tests/artifacts/ (git-ignored; CI keeps the folder).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
from support.browser import CHROMIUM, CHROMIUM_FLAGS
from support.services import require

from medallion.quality.docs import data_docs_server
from medallion.quality.offline_assets import vendor_dir
from medallion.quality.results import read_records

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
RESULTS_TABLE = "#section-1-content-block-2-1-body-table"
# Scripts the pages name that no page of this project uses (profiling charts).
UNUSED_ON_CDN = ("https://cdn.jsdelivr.net/npm/vega",)


def expected_pages(dataset: str) -> dict[str, str]:
    """{link prefix: check} for every check of every gate the runs recorded: GX files a
    result as validations/<check as a path>/<run name>/<run time>/<batch>.html."""
    pages = {}
    for record in read_records(dataset):
        for check in record["checks"]:
            prefix = f"validations/{check.replace('.', '/')}/ingest_date={record['ingest_date']}/"
            pages[prefix] = check
    return pages


def test_data_docs_list_every_gate_result_without_internet(ecommerce_run, monkeypatch):
    require(CHROMIUM.exists(), "the browser test needs Debian's Chromium: apt-get install chromium")
    require(vendor_dir().is_dir(), "Data Docs' CSS and JavaScript: run `make docs-assets` (npm)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the browser test needs Playwright: pip install playwright==1.65.2")
    monkeypatch.setenv("MEDALLION_DATA_DIR", str(ecommerce_run.data_dir))
    expected = expected_pages("ecommerce")
    # 2 dates x 5 tables x (bronze, silver, reconciliation) + 5 marts per gold gate
    assert len(expected) >= 2 * 5 * 3 + 5, sorted(expected)

    ARTIFACTS.mkdir(exist_ok=True)
    server = data_docs_server(0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}"
    refused: list[str] = []

    def offline(route):
        if route.request.url.startswith(site):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    started = time.monotonic()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.route("**/*", offline)
            page = context.new_page()
            page.goto(f"{site}/index.html")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(ARTIFACTS / "data-docs-home.png"))
            # Every row on one page, as a student gets by switching pagination off.
            page.evaluate(f"() => $('{RESULTS_TABLE}').bootstrapTable('togglePagination')")
            hrefs = page.eval_on_selector_all(
                f"{RESULTS_TABLE} tr[data-href]", "rows => rows.map(r => r.dataset.href)"
            )
            links = [unquote(href) for href in hrefs]
            missing = [
                check
                for prefix, check in expected.items()
                if not any(link.startswith(prefix) for link in links)
            ]
            assert not missing, f"not listed on the home page: {missing}"

            for prefix, check in expected.items():
                link = next(link for link in links if link.startswith(prefix))
                response = page.request.get(f"{site}/{link}")
                assert response.ok, f"{link}: HTTP {response.status}"
                assert check in response.text(), f"{link} does not show {check}"

            # One result page opened as a student would: click its row.
            gold = next(href for href in hrefs if href.startswith("validations/gold/ecommerce/"))
            page.locator(f"{RESULTS_TABLE} tr[data-href='{gold}']").click()
            page.wait_for_url("**/validations/gold/ecommerce/**", timeout=30_000)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(ARTIFACTS / "data-docs-result.png"))
            browser.close()
    finally:
        server.shutdown()
    print(
        f"Data Docs browser check: {len(expected)} result pages, {time.monotonic() - started:.1f} s"
    )
    needed = [url for url in refused if not url.startswith(UNUSED_ON_CDN)]
    # The only other address left is GX's newsletter link, which is not loaded.
    assert not needed, f"pages still load these from the internet: {needed}"
    assert (ARTIFACTS / "data-docs-home.png").stat().st_size > 10_000
