"""monitoring/README.md documents every metric the code pushes and every alert rule."""

from __future__ import annotations

import re

import yaml

from monitoring.metrics import METRICS
from monitoring.stack_config import monitoring_dir

README = (monitoring_dir() / "README.md").read_text(encoding="utf-8")


def first_column(heading: str) -> set[str]:
    """Entries of the first column of the first table after `heading`, without backticks."""
    section = README.split(heading, 1)[1]
    table = re.search(r"^\|.*?(?=\n\n)", section, flags=re.MULTILINE | re.DOTALL).group(0)
    rows = table.splitlines()[2:]  # skip the header and the |---| line
    return {row.split("|")[1].strip().strip("`") for row in rows}


def test_every_pushed_metric_is_documented():
    assert first_column("## Metrics") == set(METRICS)


def test_every_alert_rule_is_documented():
    rules = yaml.safe_load((monitoring_dir() / "prometheus/rules/pipeline_alerts.yml").read_text())
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    assert first_column("## Alerts") == alerts
