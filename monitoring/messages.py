"""What a failure notification and a run summary say, read from an Airflow callback context.

The facts are collected once (`TaskFailure`, `RunOutcome`) and then worded for each
channel: a Slack-compatible webhook message (plain `text`, which every receiver shows,
plus Slack `blocks`) and an HTML email. Only plain values leave this module, so the
wording can be tested and changed without Airflow.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

ERROR_LINE_LIMIT = 300


@dataclass(frozen=True)
class TaskFailure:
    """A task that failed for good: its retries are used up."""

    pipeline: str
    task: str
    logical_date: str
    run_id: str
    try_number: int
    tries: int
    error: str
    log_url: str

    @classmethod
    def from_context(cls, context) -> TaskFailure:
        ti = context["ti"]
        logical_date = context.get("logical_date")
        return cls(
            pipeline=ti.dag_id,
            task=ti.task_id,
            # Airflow 3 allows manual runs without a logical date.
            logical_date=logical_date.isoformat() if logical_date else "none",
            run_id=ti.run_id,
            try_number=ti.try_number,
            # max_tries counts the retries; the first try comes on top.
            tries=ti.max_tries + 1,
            error=one_line(context.get("exception")),
            log_url=ti.log_url,
        )


@dataclass(frozen=True)
class RunOutcome:
    """A finished DAG run, as its DAG-level callback sees it."""

    pipeline: str
    ds: str | None
    run_id: str
    duration_seconds: float | None
    run_url: str

    @classmethod
    def from_context(cls, context, base_url: str) -> RunOutcome:
        pipeline = context["dag"].dag_id
        run_id = context["run_id"]
        dag_run = context.get("dag_run")  # absent when Airflow could not rebuild the run
        return cls(
            pipeline=pipeline,
            ds=context.get("ds"),
            run_id=run_id,
            duration_seconds=run_duration_seconds(dag_run) if dag_run else None,
            run_url=f"{base_url.rstrip('/')}/dags/{pipeline}/runs/{quote(run_id)}",
        )


def run_duration_seconds(dag_run, now: datetime | None = None) -> float:
    """Seconds from the run's start to its end (or to now, while it is ending)."""
    end = dag_run.end_date or now or datetime.now(UTC)
    # `airflow dags test` sets start_date to the logical date, which can be months back;
    # a run never starts before run_after (when it became due or was triggered), so the
    # later of the two is its real start in every mode.
    start = max(moment for moment in (dag_run.start_date, dag_run.run_after) if moment)
    return max((end - start).total_seconds(), 0.0)


def one_line(error: BaseException | str | None) -> str:
    """The error as one line: its type and the first line of its message, shortened."""
    if error is None:
        return "no exception recorded (see the log)"
    if isinstance(error, BaseException):
        lines = str(error).strip().splitlines()
        text = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    else:
        text = " ".join(error.split())
    return text if len(text) <= ERROR_LINE_LIMIT else text[: ERROR_LINE_LIMIT - 1] + "…"


def failure_text(failure: TaskFailure) -> str:
    return (
        f"Task failed: {failure.pipeline} / {failure.task}\n"
        f"Logical date: {failure.logical_date} (run {failure.run_id})\n"
        f"Try: {failure.try_number} of {failure.tries}\n"
        f"Error: {failure.error}\n"
        f"Log: {failure.log_url}"
    )


def failure_blocks(failure: TaskFailure) -> list[dict]:
    """The same facts as Slack Block Kit blocks (receivers that don't know them use text)."""
    fields = {
        "DAG": failure.pipeline,
        "Task": failure.task,
        "Logical date": failure.logical_date,
        "Try": f"{failure.try_number} of {failure.tries}",
    }
    return [
        # Slack cuts header text at 150 characters.
        {
            "type": "header",
            "text": {"type": "plain_text", "text": f"Task failed: {failure.task}"[:150]},
        },
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*{name}*\n{value}"} for name, value in fields.items()
            ],
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Error*\n```{failure.error}```"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"<{failure.log_url}|Open the log>"},
        },
    ]


def failure_email(failure: TaskFailure) -> tuple[str, str]:
    """Subject and HTML body of the failure email."""
    subject = (
        f"[medallion] {failure.pipeline}: {failure.task} failed "
        f"(logical date {failure.logical_date})"
    )
    rows = {
        "DAG": failure.pipeline,
        "Task": failure.task,
        "Logical date": failure.logical_date,
        "Run": failure.run_id,
        "Try": f"{failure.try_number} of {failure.tries}",
        "Error": failure.error,
    }
    table = "".join(
        f"<tr><th align='left'>{name}</th><td>{html.escape(value)}</td></tr>"
        for name, value in rows.items()
    )
    link = html.escape(failure.log_url, quote=True)
    body = f"<h3>Task failed</h3><table>{table}</table><p><a href='{link}'>Open the log</a></p>"
    return subject, body


def success_text(outcome: RunOutcome) -> str:
    took = f" in {human_duration(outcome.duration_seconds)}" if outcome.duration_seconds else ""
    return (
        f"{outcome.pipeline} succeeded for {outcome.ds or 'its run'}{took} "
        f"(run {outcome.run_id}): {outcome.run_url}"
    )


def human_duration(seconds: float) -> str:
    minutes, whole_seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {whole_seconds}s" if minutes else f"{whole_seconds}s"
