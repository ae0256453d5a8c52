"""What the Airflow UI shows of the ecommerce runs: asset events per published layer,
and the real start of a `make run` run.

Reuses the integration suite's two ecommerce_daily runs (no run of its own): it reads
the metadata DB those runs left (`airflow_home_as_set_up`) and the lake they wrote.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import duckdb
import pytest
from support.airflow import ECOMMERCE_DATES

from medallion.contracts import list_tables
from medallion.dag_runs import RUN_NOTE

pytestmark = pytest.mark.integration

MARTS = ["fct_orders", "dim_customers", "dim_products", "agg_daily_sales", "agg_customer_segments"]


def parquet_rows(pattern: Path) -> int:
    return duckdb.execute("select count(*) from read_parquet(?)", [str(pattern)]).fetchone()[0]


def asset_events(airflow_home: Path) -> list[tuple[str, str, dict]]:
    """(asset uri, source task, extra) of every asset event, oldest first."""
    query = (
        "select a.uri, e.source_task_id, e.extra from asset_event e "
        "join asset a on a.id = e.asset_id order by e.id"
    )
    with closing(sqlite3.connect(airflow_home / "airflow.db")) as db:
        return [(uri, task, json.loads(extra)) for uri, task, extra in db.execute(query)]


def test_each_published_layer_is_an_asset_event_with_partition_and_rows(ecommerce_run):
    events = asset_events(ecommerce_run.airflow_home_as_set_up)
    lake = ecommerce_run.data_dir / "lake"
    expected = []
    for ds in ECOMMERCE_DATES:
        for layer in ("bronze", "silver"):
            for table in list_tables("ecommerce"):
                # Counted from the published parquet, not from what the gate said.
                rows = parquet_rows(
                    lake / layer / "ecommerce" / table / f"ingest_date={ds}" / "*.parquet"
                )
                uri = f"medallion://{layer}/ecommerce/{table}"
                expected.append(
                    (uri, f"{layer}.validate_{layer}_{table}", {"partition": ds, "rows": rows})
                )
    # Gold is rebuilt from all silver each run: the files now are the last run's marts.
    last = ECOMMERCE_DATES[-1]
    for mart in MARTS:
        rows = parquet_rows(lake / "gold" / "ecommerce" / f"{mart}.parquet")
        expected.append(
            (
                f"medallion://gold/ecommerce/{mart}",
                "gold.validate_gold",
                {"partition": last, "rows": rows},
            )
        )

    def key(event):
        return event[0], event[2]["partition"]

    found = {key(event): event for event in events}
    assert len(found) == len(events), "one event per asset and delivery date"
    for event in expected:
        assert found.get(key(event)) == event, key(event)
    gold_first_day = [
        e
        for e in events
        if e[1] == "gold.validate_gold" and e[2]["partition"] == ECOMMERCE_DATES[0]
    ]
    assert len(gold_first_day) == len(MARTS)


def test_make_run_gives_a_test_run_its_real_start_and_a_note(ecommerce_run, tmp_path):
    home = tmp_path / "airflow_home"
    shutil.copytree(ecommerce_run.airflow_home_as_set_up, home)
    config = home / "airflow.cfg"
    config.write_text(
        config.read_text().replace(f"{ecommerce_run.airflow_home_as_set_up}/", f"{home}/")
    )
    query = (
        "select r.start_date, r.logical_date, min(t.start_date) from dag_run r "
        "join task_instance t on t.run_id = r.run_id and t.dag_id = r.dag_id "
        "where r.dag_id = 'ecommerce_daily' group by r.id order by r.id desc limit 1"
    )
    with closing(sqlite3.connect(home / "airflow.db")) as db:
        start, logical_date, first_task = db.execute(query).fetchone()
    assert start == logical_date, "airflow dags test records the logical date as the start"

    subprocess.run(
        [
            sys.executable,
            "-c",
            "from medallion.dag_runs import record_real_start as r; r('ecommerce_daily')",
        ],
        env={**ecommerce_run.env, "AIRFLOW_HOME": str(home)},
        check=True,
        timeout=120,
    )
    with closing(sqlite3.connect(home / "airflow.db")) as db:
        start, _, first_task = db.execute(query).fetchone()
        [note] = db.execute(
            "select n.content from dag_run_note n join dag_run r on r.id = n.dag_run_id"
        ).fetchone()
    assert start == first_task
    assert note == RUN_NOTE


def test_airflow_knows_the_layers_and_who_consumes_gold(ecommerce_run):
    """What the UI's Assets page lists: every ecommerce asset in its layer's group, and
    ecommerce_report as the DAG scheduled on the gold mart it reads."""
    with closing(sqlite3.connect(ecommerce_run.airflow_home_as_set_up / "airflow.db")) as db:
        groups = dict(db.execute('select uri, "group" from asset'))
        consumers = db.execute(
            "select a.uri, r.dag_id from dag_schedule_asset_reference r "
            "join asset a on a.id = r.asset_id"
        ).fetchall()
    for table in list_tables("ecommerce"):
        for layer in ("bronze", "silver"):
            assert groups[f"medallion://{layer}/ecommerce/{table}"] == layer
    for mart in MARTS:
        assert groups[f"medallion://gold/ecommerce/{mart}"] == "gold"
    assert consumers == [("medallion://gold/ecommerce/agg_daily_sales", "ecommerce_report")]
