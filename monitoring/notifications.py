"""Airflow callbacks of every pipeline: tell people what failed, push the run's metrics.

    from monitoring.notifications import DAG_CALLBACKS, TASK_CALLBACKS

    default_args = {..., **TASK_CALLBACKS}   # every task of the DAG
    @dag(..., **DAG_CALLBACKS)               # the DAG run as a whole

| event                                  | webhook       | email | metrics pushed               |
|----------------------------------------|---------------|-------|------------------------------|
| a task failed after its last retry     | failure       | yes   | task duration (failed)       |
| a task succeeded                       |               |       | task duration (success)      |
| the run succeeded                      | short summary |       | run status, last success     |
| the run failed                         |               |       | run status (PipelineFailed)  |

A failed run is announced by its failed tasks (one message each, with the error) and by
Alertmanager's PipelineFailed alert, so the run-level failure callback sends no message.
Airflow calls `on_failure_callback` only once a task has no retry left (a try that will be
retried calls `on_retry_callback`), so people hear of a failure once, not per try.

Configuration, all optional and nothing secret in the repository:
- Airflow connection `alert_webhook` (e.g. AIRFLOW_CONN_ALERT_WEBHOOK='{"conn_type":
  "slackwebhook", "password": "https://hooks.slack.com/services/T000/B000/XXXX"}'): any
  Slack-compatible incoming webhook. Missing: no webhook messages (said in the log).
- MEDALLION_ALERT_EMAIL: comma-separated recipients of failure emails, sent through the
  SMTP connection named by Airflow's `[email] email_conn_id` (default `smtp_default`,
  with the sender in its extra `from_email`). Unset: no email.
- MEDALLION_PUSHGATEWAY_URL: see monitoring.metrics.
Task callbacks run in the task's process; DAG callbacks run in the dag-processor (or in
the process of `airflow dags test`), which therefore needs the same variables.

A callback never changes the outcome it reports: each channel is tried on its own, and a
channel that fails (webhook down, SMTP refusing) is logged with its error while the others
still go out. Importing this module is cheap: the providers load only when a callback runs.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime

from monitoring.messages import (
    RunOutcome,
    TaskFailure,
    failure_blocks,
    failure_email,
    failure_text,
    success_text,
)
from monitoring.metrics import push_last_success, push_run_status, push_task_duration

WEBHOOK_CONN_ID = "alert_webhook"
ALERT_EMAIL_VARIABLE = "MEDALLION_ALERT_EMAIL"
WEBHOOK_TIMEOUT_SECONDS = 5
WEBHOOK_RETRIES = 2

log = logging.getLogger(__name__)


def notify_task_failure(context) -> None:
    """on_failure_callback of a task: webhook message, email and the task's duration."""
    _contained("task duration metric", _push_task_duration, context, "failed")
    _contained("failure webhook message", _post_failure_webhook, context)
    _contained("failure email", _send_failure_email, context)


def record_task_success(context) -> None:
    """on_success_callback of a task: its duration."""
    _contained("task duration metric", _push_task_duration, context, "success")


def notify_run_success(context) -> None:
    """on_success_callback of the DAG: run metrics (with last success) and a summary."""
    _contained("run metrics", _push_run_metrics, context, "success")
    _contained("success summary", _post_success_summary, context)


def record_run_failure(context) -> None:
    """on_failure_callback of the DAG: run metrics, which raise PipelineFailed."""
    _contained("run metrics", _push_run_metrics, context, "failed")


TASK_CALLBACKS = {
    "on_failure_callback": [notify_task_failure],
    "on_success_callback": [record_task_success],
}
DAG_CALLBACKS = {
    "on_success_callback": [notify_run_success],
    "on_failure_callback": [record_run_failure],
}


def _contained(step: str, function, *args) -> None:
    # Airflow would catch an error here too, but it would skip the remaining channels: a
    # dead webhook must not also cost the email. The error is logged, with its traceback.
    try:
        function(*args)
    except Exception:
        log.exception("%s not sent; the outcome of the run is unchanged", step)


def _push_task_duration(context, status: str) -> None:
    ti = context["ti"]
    end = ti.end_date or datetime.now(UTC)
    seconds = (end - ti.start_date).total_seconds() if ti.start_date else 0.0
    push_task_duration(ti.dag_id, ti.task_id, context.get("ds"), seconds, status)


def _push_run_metrics(context, status: str) -> None:
    outcome = RunOutcome.from_context(context, _airflow_base_url())
    push_run_status(outcome.pipeline, outcome.ds, outcome.run_id, status, outcome.duration_seconds)
    if status == "success":
        push_last_success(outcome.pipeline)


def _post_failure_webhook(context) -> None:
    failure = TaskFailure.from_context(context)
    _post_webhook(failure_text(failure), failure_blocks(failure))


def _post_success_summary(context) -> None:
    _post_webhook(success_text(RunOutcome.from_context(context, _airflow_base_url())), None)


def _send_failure_email(context) -> None:
    recipients = [
        address.strip()
        for address in os.environ.get(ALERT_EMAIL_VARIABLE, "").split(",")
        if address.strip()
    ]
    if not recipients:
        log.info("%s is not set: no failure email", ALERT_EMAIL_VARIABLE)
        return
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    subject, body = failure_email(TaskFailure.from_context(context))
    # notify() rather than calling the notifier: a call first renders the fields as Jinja
    # templates, and an error message quoted in them may contain "{{" or "{%".
    SmtpNotifier(to=recipients, subject=subject, html_content=body).notify(context)


def _post_webhook(text: str, blocks: list[dict] | None) -> None:
    if not _webhook_configured():
        log.info("no Airflow connection %r: webhook message not sent", WEBHOOK_CONN_ID)
        return
    from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier
    from slack_sdk.http_retry.builtin_handlers import (
        ConnectionErrorRetryHandler,
        RateLimitErrorRetryHandler,
        ServerErrorRetryHandler,
    )

    notifier = SlackWebhookNotifier(
        slack_webhook_conn_id=WEBHOOK_CONN_ID,
        text=text,
        blocks=blocks,
        timeout=WEBHOOK_TIMEOUT_SECONDS,
        # Exponential backoff with jitter on refused connections, 5xx answers and 429s.
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=WEBHOOK_RETRIES),
            ServerErrorRetryHandler(max_retry_count=WEBHOOK_RETRIES),
            RateLimitErrorRetryHandler(max_retry_count=WEBHOOK_RETRIES),
        ],
    )
    notifier.notify({})  # not notifier(context): see _send_failure_email


def _webhook_configured() -> bool:
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        Connection.get(WEBHOOK_CONN_ID)
    except AirflowNotFoundException:
        return False
    return True


def _airflow_base_url() -> str:
    from airflow.sdk.configuration import conf

    return conf.get("api", "base_url", fallback="http://localhost:8080/")
