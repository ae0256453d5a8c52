"""corrupt-file through Airflow: fail at once, alert once per failed task, run nothing below.

One real `airflow dags test` run of ecommerce_daily on a copy of the clean run whose
2026-11-02 deliveries got every corrupt-file fault, with the failure webhook pointed at a
local HTTP server. What only a real DAG run can show:
- each task with an unreadable file fails on its first try (a data error: no retries);
- exactly one webhook message per failed task, naming the file and the reason;
- the other tables' tasks succeed (their data is not lost), nothing downstream of a
  failure runs, and gold stays as it was.
"""

from __future__ import annotations

import json

import pytest
from support.airflow import ECOMMERCE_DATES, AirflowRunner
from support.lake_checks import gold_snapshot

from medallion.faults.catalog import SCENARIOS

pytestmark = pytest.mark.integration

BROKEN = ECOMMERCE_DATES[1]
UNREADABLE = {
    "order_items": "truncated_file",
    "products": "binary_content",
    "customers": "wrong_encoding",
    "events": "empty_file",
}


def test_corrupt_files_fail_their_tasks_once_and_alert_once(
    clean_lake, broken_lake, tmp_path, webhook_receiver
):
    for inject in SCENARIOS["corrupt-file"].variants.values():
        inject(BROKEN)
    webhook = {"conn_type": "slackwebhook", "password": webhook_receiver.url("/services/corrupt")}
    runner = AirflowRunner(
        tmp_path / "airflow_home",
        broken_lake,
        {"MEDALLION_PUSHGATEWAY_URL": "", "AIRFLOW_CONN_ALERT_WEBHOOK": json.dumps(webhook)},
    )
    runner.migrate()

    result = runner.run_dag("ecommerce_daily", BROKEN, check=False)
    assert result.returncode != 0, "the run must fail"

    states = runner.task_states("ecommerce_daily", BROKEN)
    failed = sorted(task for task, state in states.items() if state == "failed")
    assert failed == sorted(f"bronze.ingest_{table}" for table in UNREADABLE), states
    tries = runner.try_numbers("ecommerce_daily")
    assert {task: tries[task] for task in failed} == dict.fromkeys(failed, 1), "retried"
    assert states["bronze.ingest_orders"] == "success"
    assert states["silver.refine_orders"] == "success"
    for task in ("silver.refine_order_items", "gold.build_gold", "publish_run_summary"):
        assert states[task] == "upstream_failed", (task, states[task])

    posts = [post for post in webhook_receiver.received if post["path"] == "/services/corrupt"]
    texts = sorted(post["json"]["text"] for post in posts)
    assert len(texts) == len(UNREADABLE), texts
    for table, reason in UNREADABLE.items():
        [text] = [text for text in texts if f"ingest_{table}" in text]
        assert reason in text and f"{table}-part-00001" in text, text

    assert gold_snapshot(broken_lake) == clean_lake.gold
