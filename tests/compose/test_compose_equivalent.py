"""The compose lab's roles, run as local processes: a proof that the stack's commands work.

No Docker engine runs here, so the services of docker/docker-compose.yml start as plain
processes on loopback (tests/compose/local_lab.py): Airflow on PostgreSQL with its four
roles and LocalExecutor, a Spark standalone master and worker, and a Spark Connect server
on that cluster as the `spark_default` connection. Then, as a student would:

1. backfill ecommerce_daily over two generated days through Airflow's REST API, newest
   day first, and wait; gold must equal the embedded run's gold (`airflow dags test`, the
   days one by one and in order, local Spark) on the same generated data, mart by mart,
   row by row: a backfill in any order gives the same gold as the daily runs;
2. in a real browser (Debian's Chromium, driven by Playwright): log in, find the DAGs,
   trigger one, see it succeed, keep a screenshot.

The peak memory of all processes and the wall times are written to
`<tmp>/lab/measurements.json` and printed (run with -s to see them).
"""

from __future__ import annotations

import json
import shutil
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
import requests
from local_lab import ADMIN, REPO, LocalLab
from support.airflow import ECOMMERCE_DATES
from support.browser import CHROMIUM, CHROMIUM_FLAGS
from support.lab_processes import scratch_database
from support.services import require

pytestmark = pytest.mark.integration

MARTS = ["fct_orders", "dim_customers", "dim_products", "agg_daily_sales", "agg_customer_segments"]
RUN_TIMEOUT_SECONDS = 600


@pytest.fixture(scope="module")
def lab(tmp_path_factory, postgres_server):
    require(shutil.which("airflow") is not None, "run with the project's venv on PATH (make test)")
    root = tmp_path_factory.mktemp("lab")
    # The repository's DAGs plus the one-task DAG the browser test triggers.
    dags = root / "dags"
    dags.mkdir()
    for dag_file in [
        *(REPO / "airflow" / "dags").glob("*.py"),
        Path(__file__).parent / "dags" / "lab_smoke.py",
    ]:
        shutil.copy(dag_file, dags)
    started = time.monotonic()
    with scratch_database(postgres_server) as database:
        lab = LocalLab(root, postgres_server.url(database, "postgresql+psycopg2"), dags)
        try:
            lab.start()
            lab.measurements = {"startup_seconds": round(time.monotonic() - started, 1)}
            yield lab
        finally:
            lab.stop()
            lab.measurements.update(
                peak_rss_total_mib=round(lab.total_peak / 2**20),
                peak_rss_by_role_mib={k: round(v / 2**20) for k, v in lab.memory_peaks.items()},
            )
            report = json.dumps(lab.measurements, indent=2)
            (root / "measurements.json").write_text(report)
            print(f"\ncompose-equivalent lab measurements:\n{report}")


@pytest.fixture(scope="module")
def api(lab):
    """A requests session with a JWT from POST /auth/token, as any API client gets one."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {lab.token()}"
    return session


def wait_for_dag(lab, api, dag_id: str) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if api.get(f"{lab.api_url}/api/v2/dags/{dag_id}", timeout=10).status_code == 200:
            return
        time.sleep(2)
    raise AssertionError(f"{dag_id} was not parsed within 180 s; see {lab.logs}")


def wait_for_run(lab, api, dag_id: str, run_id: str) -> str:
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    state = "unknown"
    while time.monotonic() < deadline:
        try:
            response = api.get(f"{lab.api_url}/api/v2/dags/{dag_id}/dagRuns/{run_id}", timeout=10)
        except requests.Timeout:  # a busy machine: ask again, within the deadline
            continue
        response.raise_for_status()
        state = response.json()["state"]
        if state in ("success", "failed"):
            return state
        time.sleep(3)
    return state


def failed_tasks(lab, api, dag_id: str, run_id: str) -> list[str]:
    url = f"{lab.api_url}/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances"
    return [
        f"{ti['task_id']}: {ti['state']}"
        for ti in api.get(url, timeout=10).json()["task_instances"]
        if ti["state"] != "success"
    ]


def backfill_runs(lab, api, dag_id: str) -> dict[str, str]:
    """The runs the backfill created, as {ds: run_id}."""
    response = api.get(f"{lab.api_url}/api/v2/dags/{dag_id}/dagRuns", timeout=10)
    response.raise_for_status()
    return {
        run["logical_date"][:10]: run["dag_run_id"]
        for run in response.json()["dag_runs"]
        if run["run_type"] == "backfill"
    }


def run_start(lab, api, dag_id: str, run_id: str) -> str:
    response = api.get(f"{lab.api_url}/api/v2/dags/{dag_id}/dagRuns/{run_id}", timeout=10)
    response.raise_for_status()
    return response.json()["start_date"]


def gold_snapshot(data_dir: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(data_dir / "warehouse" / "ecommerce.duckdb"), read_only=True) as con:
        return {mart: sorted(con.table(mart).fetchall(), key=repr) for mart in MARTS}


def test_ecommerce_daily_on_the_cluster_equals_the_embedded_run(lab, api, ecommerce_run):
    from medallion.generate.ecommerce import generate_ecommerce

    # The same deliveries the embedded run (the ecommerce_run fixture) processed.
    generate_ecommerce(
        out_dir=lab.data_dir / "landing" / "ecommerce",
        start=date.fromisoformat(ECOMMERCE_DATES[0]),
        days=len(ECOMMERCE_DATES),
        orders_per_day=300,
        seed=7,
    )
    wait_for_dag(lab, api, "ecommerce_daily")
    api.patch(
        f"{lab.api_url}/api/v2/dags/ecommerce_daily", json={"is_paused": False}, timeout=10
    ).raise_for_status()

    started = time.monotonic()
    backfill = api.post(
        f"{lab.api_url}/api/v2/backfills",
        json={
            "dag_id": "ecommerce_daily",
            "from_date": f"{ECOMMERCE_DATES[0]}T00:00:00Z",
            "to_date": f"{ECOMMERCE_DATES[-1]}T23:59:59Z",
            "run_backwards": True,
            "max_active_runs": 1,
            "reprocess_behavior": "none",
        },
        timeout=30,
    )
    assert backfill.ok, backfill.text
    runs = backfill_runs(lab, api, "ecommerce_daily")
    assert sorted(runs) == ECOMMERCE_DATES, runs
    for ds, run_id in sorted(runs.items(), reverse=True):
        state = wait_for_run(lab, api, "ecommerce_daily", run_id)
        assert state == "success", (
            f"ecommerce_daily {ds} ended {state}: {failed_tasks(lab, api, 'ecommerce_daily', run_id)}"
            f"; logs in {lab.logs} and {lab.root / 'airflow_home' / 'logs'}"
        )
    # The compose file's scheduler creates no run of its own when a DAG is switched on:
    # the latest interval has no deliveries, and its retries would hold triggered runs.
    listed = api.get(f"{lab.api_url}/api/v2/dags/ecommerce_daily/dagRuns", timeout=10).json()
    scheduled = [run["dag_run_id"] for run in listed["dag_runs"] if run["run_type"] == "scheduled"]
    assert not scheduled, f"switching ecommerce_daily on scheduled {scheduled}"
    started_at = {ds: run_start(lab, api, "ecommerce_daily", run_id) for ds, run_id in runs.items()}
    assert started_at[ECOMMERCE_DATES[-1]] < started_at[ECOMMERCE_DATES[0]], "not run backwards"
    lab.measurements["ecommerce_daily_two_days_seconds"] = round(time.monotonic() - started, 1)

    on_cluster, embedded = gold_snapshot(lab.data_dir), gold_snapshot(ecommerce_run.data_dir)
    for mart in MARTS:
        assert len(embedded[mart]) > 5, mart
        assert on_cluster[mart] == embedded[mart], f"{mart} differs from the embedded run"


def test_a_student_triggers_a_dag_in_the_browser(lab, api, tmp_path):
    require(CHROMIUM.exists(), "the browser test needs Debian's Chromium: apt-get install chromium")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        require(False, "the browser test needs Playwright: pip install playwright==1.65.2")

    wait_for_dag(lab, api, "lab_smoke")
    api.patch(f"{lab.api_url}/api/v2/dags/lab_smoke", json={"is_paused": False}, timeout=10)
    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        try:
            page.goto(lab.api_url, timeout=60_000)
            page.get_by_label("Username").fill(ADMIN)
            page.get_by_label("Password").fill(lab.password)
            page.get_by_role("button", name="Sign in").click()
            # Signing in redirects to the home page; navigating before it lands aborts.
            page.wait_for_url(lambda url: "/auth/" not in url, timeout=30_000)
            page.wait_for_load_state("networkidle")

            page.goto(f"{lab.api_url}/dags", timeout=60_000)
            expect(page.get_by_text("ecommerce_daily").first).to_be_visible(timeout=30_000)
            page.get_by_role("link", name="lab_smoke").first.click()
            # The list has Trigger buttons too: wait until the DAG's own page has loaded.
            page.wait_for_url("**/dags/lab_smoke", timeout=30_000)
            page.wait_for_load_state("networkidle")
            page.get_by_role("button", name="Trigger").first.click()
            dialog = page.get_by_role("dialog").filter(has_text="Trigger Dag - lab_smoke")
            # The dialog slides in: a click during the animation lands nowhere.
            expect(dialog.get_by_text("Single Run", exact=True)).to_be_visible(timeout=10_000)
            page.wait_for_timeout(1000)
            with page.expect_response(
                lambda response: (
                    response.request.method == "POST"
                    and response.url.endswith("/api/v2/dags/lab_smoke/dagRuns")
                )
            ) as triggered:
                dialog.get_by_role("button", name="Trigger").click()
            assert triggered.value.ok, triggered.value.text()
            run_id = triggered.value.json()["dag_run_id"]

            assert wait_for_run(lab, api, "lab_smoke", run_id) == "success", failed_tasks(
                lab, api, "lab_smoke", run_id
            )
            page.reload()  # the run's page, where the UI took us: its task is green
            expect(page.get_by_text("count_on_spark").first).to_be_visible(timeout=30_000)
            expect(page.get_by_text("success").first).to_be_visible(timeout=30_000)
        finally:
            page.screenshot(path=str(tmp_path / "airflow-ui.png"), full_page=True)
            browser.close()
    lab.measurements["browser_test_seconds"] = round(time.monotonic() - started, 1)
    assert (tmp_path / "airflow-ui.png").stat().st_size > 10_000
