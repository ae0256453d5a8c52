"""A failed run's metric becomes a delivered alert: Pushgateway -> Prometheus -> Alertmanager.

Alertmanager (the project's config, on loopback, one-second intervals) posts to a local
webhook receiver and mails a local SMTP server; both record what arrives.
"""

from __future__ import annotations

import requests

from monitoring import metrics


def webhook_alerts(receiver, alertname: str, pipeline: str, status: str) -> list[dict]:
    """Alerts named `alertname` of `pipeline` in notifications with `status` so far."""
    return [
        {**alert, "receiver": post["json"]["receiver"]}
        for post in receiver.received
        if post["json"]["status"] == status
        for alert in post["json"]["alerts"]
        if alert["labels"].get("alertname") == alertname
        and alert["labels"].get("pipeline") == pipeline
    ]


def test_failed_run_alerts_by_webhook_and_email_then_resolves(
    pushgateway_url, alertmanager_webhook, alertmanager_smtp, wait_until
):
    pipeline, ds, run_id = "alert_delivery", "2026-11-21", "scheduled__2026-11-22T06:00:00+00:00"
    metrics.push_run_status(pipeline, ds, run_id, "failed", 300.0)

    (alert,) = wait_until(
        lambda: webhook_alerts(alertmanager_webhook, "PipelineFailed", pipeline, "firing")
    )
    assert alert["receiver"] == "team-webhook-and-email"
    assert alert["labels"] == {
        "alertname": "PipelineFailed",
        "severity": "critical",
        "job": "medallion",
        "pipeline": pipeline,
        "ds": ds,
        "run_id": run_id,
    }
    assert alert["annotations"]["summary"] == f"{pipeline} failed for {ds}"
    assert (
        f"Run {run_id} of {pipeline} failed after its retries"
        in alert["annotations"]["description"]
    )

    (mail,) = wait_until(
        lambda: [
            mail
            for mail in alertmanager_smtp.messages
            if mail["subject"].startswith(f"[FIRING:1] PipelineFailed {pipeline} ")
        ]
    )
    assert mail["to"] == ["data-team@example.org"]
    assert f"{pipeline} failed for {ds}" in mail["body"]

    metrics.push_run_status(
        pipeline, "2026-11-22", "scheduled__2026-11-23T06:00:00+00:00", "success", 280.0
    )
    (resolved,) = wait_until(
        lambda: webhook_alerts(alertmanager_webhook, "PipelineFailed", pipeline, "resolved")
    )
    assert resolved["labels"]["run_id"] == run_id


def test_a_failed_run_inhibits_the_row_count_drop_it_explains(
    monitoring_stack, pushgateway_url, wait_until
):
    pipeline, ds = "inhibition", "2026-11-21"
    metrics.push_layer_rows(
        pipeline, "bronze.ingest_orders", "bronze", "orders", ds, 100, previous_rows=1_000
    )
    metrics.push_run_status(pipeline, ds, "scheduled__inhibition", "failed", 60.0)

    def alertmanager_states() -> dict[str, str]:
        alerts = requests.get(
            f"{monitoring_stack.url('alertmanager')}/api/v2/alerts", timeout=5
        ).json()
        states = {
            alert["labels"]["alertname"]: alert["status"]["state"]
            for alert in alerts
            if alert["labels"].get("pipeline") == pipeline
        }
        return states if len(states) == 2 else {}

    assert wait_until(alertmanager_states) == {
        "PipelineFailed": "active",
        "RowCountDrop": "suppressed",
    }
