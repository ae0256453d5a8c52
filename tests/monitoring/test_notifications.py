"""The callbacks in real Airflow runs: one message and one email per failed task, metrics.

run_probe.py runs the DAG dags/monitoring_probe.py (the project's callbacks, one retry)
three times with `dag.test()` against a fresh SQLite metadata DB:
    2026-11-20  check_rows fails on both tries    webhook and SMTP up
    2026-11-21  everything succeeds               webhook up
    2026-11-22  check_rows fails on both tries    webhook and SMTP down
The webhook is a local HTTP server (each run posts to its own path), the mail server a
local aiosmtpd, the metrics go to the real Pushgateway of `monitoring_stack`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

HERE = Path(__file__).parent
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
BASE_URL = "http://airflow.test:8080"
RECIPIENTS = ["data-team@example.org", "oncall@example.org"]

pytestmark = pytest.mark.integration  # runs a (small) DAG through Airflow


@dataclass
class ProbeRun:
    """What one run left behind: its log, webhook posts, mails and the gateway's metrics."""

    state: str
    log: str
    posts: list[dict]
    mails: list[dict]
    pushgateway: str

    def pushed(self, metric: str, **labels: str) -> list[tuple[dict, float]]:
        """Series of `metric` of monitoring_probe the gateway held after the run."""
        labels["pipeline"] = "monitoring_probe"
        return [
            (sample.labels, sample.value)
            for family in text_string_to_metric_families(self.pushgateway)
            for sample in family.samples
            if sample.name == metric and labels.items() <= sample.labels.items()
        ]


@pytest.fixture(scope="module")
def probe_runs(tmp_path_factory, monitoring_stack, webhook_receiver, smtp_server, unused_port):
    """The three runs of the module docstring, by logical date."""
    env = airflow_env(tmp_path_factory.mktemp("airflow-home"), monitoring_stack.url("pushgateway"))
    subprocess.run(
        [AIRFLOW, "db", "migrate"], env=env, capture_output=True, check=True, timeout=180
    )
    dead_port = unused_port()
    plan = [
        {
            "ds": "2026-11-20",
            "fail": True,
            "env": connections(webhook_receiver.url("/services/2026-11-20"), smtp_server.port),
        },
        {
            "ds": "2026-11-21",
            "fail": False,
            "env": connections(webhook_receiver.url("/services/2026-11-21"), smtp_server.port),
        },
        {
            "ds": "2026-11-22",
            "fail": True,
            "env": connections(f"http://127.0.0.1:{dead_port}/services/2026-11-22", dead_port),
        },
    ]
    finished = subprocess.run(
        [sys.executable, str(HERE / "run_probe.py"), json.dumps(plan)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return split_runs(finished.stdout + finished.stderr, webhook_receiver, smtp_server)


def split_runs(output: str, webhook_receiver, smtp_server) -> dict[str, ProbeRun]:
    """One ProbeRun per `PROBE_RUN` line of run_probe.py, with the log lines before it."""
    runs, log_lines = {}, []
    for line in output.splitlines():
        if not line.startswith("PROBE_RUN "):
            log_lines.append(line)
            continue
        report = json.loads(line.removeprefix("PROBE_RUN "))
        ds = report["ds"]
        runs[ds] = ProbeRun(
            state=report["state"],
            log="\n".join(log_lines),
            posts=[post for post in webhook_receiver.received if post["path"] == f"/services/{ds}"],
            mails=[
                mail for mail in smtp_server.messages if f"logical date {ds}" in mail["subject"]
            ],
            pushgateway=report["pushgateway"],
        )
        log_lines = []
    return runs


def airflow_env(home: Path, pushgateway_url: str) -> dict[str, str]:
    # Nothing of the caller's Airflow setup (e.g. `make test`'s exports) may leak in.
    env = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW")}
    return env | {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(HERE / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__API__BASE_URL": BASE_URL,
        "MEDALLION_PUSHGATEWAY_URL": pushgateway_url,
        "MEDALLION_ALERT_EMAIL": ", ".join(RECIPIENTS),
    }


def connections(webhook_url: str, smtp_port: int) -> dict[str, str]:
    """The webhook and SMTP connections as Airflow reads them from the environment."""
    smtp_extra = {
        "from_email": "airflow@example.org",
        "disable_ssl": True,
        "disable_tls": True,
        "timeout": 5,
        "retry_limit": 0,
    }
    return {
        "AIRFLOW_CONN_ALERT_WEBHOOK": json.dumps(
            {"conn_type": "slackwebhook", "password": webhook_url}
        ),
        "AIRFLOW_CONN_SMTP_DEFAULT": json.dumps(
            {"conn_type": "smtp", "host": "127.0.0.1", "port": smtp_port, "extra": smtp_extra}
        ),
    }


def test_the_runs_end_as_planned(probe_runs):
    assert {ds: run.state for ds, run in probe_runs.items()} == {
        "2026-11-20": "failed",
        "2026-11-21": "success",
        "2026-11-22": "failed",
    }


def test_a_failed_task_posts_exactly_one_message_with_what_broke_and_where(probe_runs):
    run = probe_runs["2026-11-20"]
    assert len(run.posts) == 1, run.log[-3000:]
    lines = run.posts[0]["json"]["text"].splitlines()
    assert lines[0] == "Task failed: monitoring_probe / check_rows"
    assert lines[1].startswith("Logical date: 2026-11-20T00:00:00+00:00 (run manual__")
    assert lines[2] == "Try: 2 of 2"
    assert lines[3] == "Error: ValueError: check_rows: 3 rows, expected 5"
    assert lines[4].startswith(f"Log: {BASE_URL}/dags/monitoring_probe/runs/manual__")
    assert lines[4].endswith("/tasks/check_rows?try_number=2")
    assert run.posts[0]["json"]["blocks"][0]["text"]["text"] == "Task failed: check_rows"


def test_a_failed_task_sends_exactly_one_email(probe_runs):
    (mail,) = probe_runs["2026-11-20"].mails
    assert mail["from"] == "airflow@example.org"
    assert mail["to"] == RECIPIENTS
    assert mail["subject"] == (
        "[medallion] monitoring_probe: check_rows failed (logical date 2026-11-20T00:00:00+00:00)"
    )
    for fact in ("2 of 2", "ValueError: check_rows: 3 rows, expected 5"):
        assert fact in mail["body"]
    assert f"href='{BASE_URL}/dags/monitoring_probe/runs/manual__" in mail["body"]


def test_a_failed_run_pushes_its_status_and_task_durations(probe_runs):
    run = probe_runs["2026-11-20"]
    assert [value for _, value in run.pushed("medallion_run_success", ds="2026-11-20")] == [0.0]
    durations = {
        labels["task"]: labels["status"]
        for labels, _ in run.pushed("medallion_task_duration_seconds", ds="2026-11-20")
    }
    assert durations == {"load_rows": "success", "check_rows": "failed"}
    assert run.pushed("medallion_last_success_timestamp_seconds") == []  # pushed on success only


def test_a_succeeded_run_posts_a_summary_and_pushes_its_success(probe_runs):
    run = probe_runs["2026-11-21"]
    (post,) = run.posts
    assert post["json"]["text"].startswith("monitoring_probe succeeded for 2026-11-21 in ")
    assert f"{BASE_URL}/dags/monitoring_probe/runs/manual__" in post["json"]["text"]
    assert run.mails == []
    assert [value for _, value in run.pushed("medallion_run_success", ds="2026-11-21")] == [1.0]
    assert len(run.pushed("medallion_last_success_timestamp_seconds")) == 1


def test_down_channels_are_logged_and_change_nothing_else(probe_runs):
    run = probe_runs["2026-11-22"]
    assert run.posts == [] and run.mails == []
    assert "failure webhook message not sent" in run.log
    assert "failure email not sent" in run.log
    assert [value for _, value in run.pushed("medallion_run_success", ds="2026-11-22")] == [0.0]
