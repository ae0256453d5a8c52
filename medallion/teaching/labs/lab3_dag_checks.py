"""Lab 3's checks of the DAG file itself: it parses, runs daily, retries, notifies.

Every answer comes from a real Airflow DagBag (dag_facts.py), so a schedule written in an
unusual but valid way passes, and a file that looks right but does not import fails.
"""

from __future__ import annotations

from medallion.teaching.checks import CheckResult, fail, ok
from medallion.teaching.labs.base import LabContext
from medallion.teaching.labs.dag_facts import parse_dag

DAG_ID = "ecommerce_daily"
DAG_FILE = "airflow/dags/ecommerce_daily.py"
RETRIES = 3
NOTIFY = "monitoring.notifications."
TASK_CALLBACKS = {
    "on_failure": NOTIFY + "notify_task_failure",
    "on_success": NOTIFY + "record_task_success",
}
DAG_CALLBACKS = {
    "on_failure": NOTIFY + "record_run_failure",
    "on_success": NOTIFY + "notify_run_success",
}
DAILY_ALIASES = ("@daily", "@midnight")


def _parsed_dag(context: LabContext) -> dict | None:
    return parse_dag(context.home / DAG_FILE, DAG_ID)["dag"]


def _not_parsed() -> CheckResult:
    return fail("dag", f"Airflow cannot load {DAG_ID} (see milestone 1)", "fix milestone 1 first")


def dag_parses(context: LabContext) -> CheckResult:
    facts = parse_dag(context.home / DAG_FILE, DAG_ID)
    if facts["errors"]:
        error = next(iter(facts["errors"].values())).strip().splitlines()[-1]
        return fail(
            "parse",
            f"Airflow cannot import {DAG_FILE}: {error}",
            f"`python {DAG_FILE}` prints the whole error with its line number; fix that line",
        )
    if facts["dag"] is None:
        return fail(
            "parse",
            f"{DAG_FILE} imports, but defines no DAG with dag_id {DAG_ID!r}",
            "keep @dag(dag_id='ecommerce_daily', ...) and the call ecommerce_daily() at the end",
        )
    return ok("parse", f"a DagBag loads {DAG_ID} with {len(facts['dag']['tasks'])} tasks")


def is_daily(expression: str) -> bool:
    """A cron expression that fires once a day: a fixed minute and hour, `*` elsewhere."""
    if expression in DAILY_ALIASES:
        return True
    fields = expression.split()
    return (
        len(fields) == 5 and fields[0].isdigit() and fields[1].isdigit() and fields[2:] == ["*"] * 3
    )


def schedule_is_daily(context: LabContext) -> CheckResult:
    dag = _parsed_dag(context)
    if dag is None:
        return _not_parsed()
    timetable, expression = dag["timetable"], dag["expression"]
    set_it = 'schedule=CronDataIntervalTimetable("0 6 * * *", timezone="UTC") in @dag(...)'
    if expression is None:
        found = "schedule=None: it runs only when someone triggers it"
        if timetable != "NullTimetable":
            found = f"the schedule is a {timetable}, not a cron expression"
        return fail("schedule", found, f"set {set_it}")
    if not is_daily(expression):
        return fail(
            "schedule",
            f"the cron expression {expression!r} does not fire once a day",
            "a daily cron has a fixed minute and hour and * in the other three fields: "
            '"0 6 * * *" is every day at 06:00',
        )
    if timetable != "CronDataIntervalTimetable":
        return fail(
            "schedule",
            f"{expression!r} fires daily, but as a {timetable}: each run's ds would be the "
            "day it starts, not the day before whose deliveries it must process",
            f"wrap the expression: {set_it} (a plain cron string gives a CronTriggerTimetable)",
        )
    return ok(
        "schedule",
        f"CronDataIntervalTimetable({expression!r}, {dag['timezone']}): one run a day, "
        "each for the day before",
    )


def retries_with_backoff(context: LabContext) -> CheckResult:
    dag = _parsed_dag(context)
    if dag is None:
        return _not_parsed()
    tasks = dag["tasks"]
    problems = []
    for what, missing in [
        (f"fewer than {RETRIES} retries", [t for t, f in tasks.items() if f["retries"] < RETRIES]),
        ("no exponential backoff", [t for t, f in tasks.items() if not f["backoff"]]),
        ("no max_retry_delay", [t for t, f in tasks.items() if f["max_retry_delay"] is None]),
    ]:
        if missing:
            problems.append(f"{len(missing)} of {len(tasks)} tasks have {what} (e.g. {missing[0]})")
    if problems:
        return fail(
            "retries",
            "; ".join(problems),
            'in default_args: "retries": 3, "retry_delay": timedelta(seconds=20), '
            '"retry_exponential_backoff": True, "max_retry_delay": timedelta(minutes=10)',
        )
    longest = max(facts["max_retry_delay"] for facts in tasks.values())
    return ok(
        "retries",
        f"all {len(tasks)} tasks: {RETRIES}+ retries, exponential backoff, at most "
        f"{longest:.0f} s between tries",
    )


def failure_notifications(context: LabContext) -> CheckResult:
    dag = _parsed_dag(context)
    if dag is None:
        return _not_parsed()
    tasks = dag["tasks"]
    problems, fixes = [], []
    for event, callback in TASK_CALLBACKS.items():
        missing = [task for task, facts in tasks.items() if callback not in facts[event]]
        if missing:
            short = callback.rsplit(".", 1)[1]
            problems.append(f"{len(missing)} of {len(tasks)} tasks lack {event} {short}")
    if problems:
        fixes.append("add **TASK_CALLBACKS to default_args")
    for event, callback in DAG_CALLBACKS.items():
        if callback not in dag[event]:
            problems.append(f"the DAG lacks {event} {callback.rsplit('.', 1)[1]}")
    if len(fixes) < len(problems):
        fixes.append("add **DAG_CALLBACKS to @dag(...)")
    if problems:
        return fail(
            "notifications",
            "; ".join(problems),
            " and ".join(fixes)
            + " (from monitoring.notifications import DAG_CALLBACKS, TASK_CALLBACKS)",
        )
    return ok(
        "notifications",
        "a task that fails for good sends a webhook message and an e-mail; every run pushes "
        "its status",
    )
