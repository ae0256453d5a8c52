"""The PromQL queries of the Grafana dashboards, ready to run against Prometheus.

Grafana cannot run here, so the tests prove the dashboards another way: every panel's
query, with the dashboard variables filled in, must return data from a real Prometheus
after a run. This module reads those queries out of monitoring/grafana/dashboards/*.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from monitoring.stack_config import monitoring_dir

# What each dashboard variable stands for when a query runs outside Grafana: "All".
ALL_PIPELINES = {"$pipeline": ".*"}


@dataclass(frozen=True)
class PanelQuery:
    """One query of one panel."""

    dashboard: str
    panel: str
    expr: str
    datasource_uid: str


def dashboard_files() -> list[Path]:
    return sorted((monitoring_dir() / "grafana" / "dashboards").glob("*.json"))


def panel_queries(
    files: list[Path] | None = None, variables: dict[str, str] = ALL_PIPELINES
) -> list[PanelQuery]:
    """Every target of every panel (rows excluded), with the dashboard variables replaced.

    `variables` maps a variable to a regex, e.g. {"$pipeline": "ecommerce_daily"}.
    """
    queries = []
    for path in files or dashboard_files():
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        for panel in dashboard["panels"]:
            for target in panel.get("targets", []):
                expr = target["expr"]
                for variable, value in variables.items():
                    expr = expr.replace(variable, value)
                uid = target.get("datasource", panel.get("datasource", {})).get("uid", "")
                queries.append(PanelQuery(dashboard["title"], panel["title"], expr, uid))
    return queries
