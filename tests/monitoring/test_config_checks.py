"""The monitoring configs pass Prometheus' and Alertmanager's own checkers.

promtool and amtool come with the Debian packages; `promtool test rules` runs the alert
rules' unit tests (monitoring/prometheus/tests/). The generated loopback configs of
`make monitor` are checked too.
"""

from __future__ import annotations

import subprocess

import pytest
import yaml

from monitoring.local_stack import find_binary
from monitoring.stack_config import (
    Ports,
    Timings,
    local_alertmanager_config,
    local_prometheus_config,
    monitoring_dir,
    write_yaml,
)

PROMETHEUS_DIR = monitoring_dir() / "prometheus"
ALERTMANAGER_CONFIG = monitoring_dir() / "alertmanager" / "alertmanager.yml"
RULES = PROMETHEUS_DIR / "rules" / "pipeline_alerts.yml"
# The course's monitoring checklist (issue 4): alert -> severity.
CHECKLIST = {
    "PipelineFailed": "critical",
    "DataFreshness": "warning",
    "RowCountDrop": "warning",
    "DuplicateRecords": "critical",
    "LateArrival": "warning",
    "QualityGateFailed": "critical",
}

pytestmark = pytest.mark.usefixtures("prometheus_tools")


def run_tool(tool: str, *args: str) -> str:
    result = subprocess.run(
        [find_binary(tool), *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, (
        f"{tool} {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
    )
    return result.stdout


def test_prometheus_config_and_its_rules_are_valid():
    output = run_tool("promtool", "check", "config", str(PROMETHEUS_DIR / "prometheus.yml"))
    assert "1 rule files found" in output


def test_alert_rules_are_valid():
    assert "SUCCESS: 6 rules found" in run_tool("promtool", "check", "rules", str(RULES))


def test_alert_rule_unit_tests_pass():
    test_files = sorted((PROMETHEUS_DIR / "tests").glob("*.yml"))
    tested_rules = {
        (test_file.parent / rule_file).resolve()
        for test_file in test_files
        for rule_file in yaml.safe_load(test_file.read_text())["rule_files"]
    }
    rule_files = {path.resolve() for path in (PROMETHEUS_DIR / "rules").glob("*.yml")}
    assert rule_files, f"no alert rules under {PROMETHEUS_DIR / 'rules'}"
    assert rule_files <= tested_rules, f"rule files without unit tests: {rule_files - tested_rules}"
    for test_file in test_files:
        output = run_tool("promtool", "test", "rules", str(test_file))
        assert "SUCCESS" in output, output


def test_alertmanager_config_is_valid():
    assert "SUCCESS" in run_tool("amtool", "check-config", str(ALERTMANAGER_CONFIG))


@pytest.mark.parametrize(
    ("labels", "receiver"),
    [
        (["alertname=PipelineFailed", "severity=critical"], "team-webhook-and-email"),
        (["alertname=RowCountDrop", "severity=warning"], "team-webhook"),
    ],
)
def test_alerts_route_by_severity(labels, receiver):
    output = run_tool(
        "amtool", "config", "routes", "test", f"--config.file={ALERTMANAGER_CONFIG}", *labels
    )
    assert output.strip() == receiver


def test_rules_implement_the_checklist_with_severities_and_texts():
    rules = yaml.safe_load(RULES.read_text())["groups"][0]["rules"]
    assert {rule["alert"]: rule["labels"]["severity"] for rule in rules} == CHECKLIST
    for rule in rules:
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]


def test_every_alert_has_a_firing_and_a_quiet_test_case():
    cases = [
        case
        for test_file in (PROMETHEUS_DIR / "tests").glob("*.yml")
        for test in yaml.safe_load(test_file.read_text())["tests"]
        for case in test["alert_rule_test"]
    ]
    fires = {case["alertname"] for case in cases if case["exp_alerts"]}
    stays_quiet = {case["alertname"] for case in cases if not case["exp_alerts"]}
    assert fires == set(CHECKLIST)
    assert stays_quiet == set(CHECKLIST)


def test_loopback_configs_of_make_monitor_are_valid(tmp_path):
    ports, timings = Ports(), Timings()
    prometheus = write_yaml(local_prometheus_config(ports, timings), tmp_path / "prometheus.yml")
    alertmanager = write_yaml(
        local_alertmanager_config(ports, timings), tmp_path / "alertmanager.yml"
    )
    assert "1 rule files found" in run_tool("promtool", "check", "config", str(prometheus))
    run_tool("amtool", "check-config", str(alertmanager))
    text = prometheus.read_text() + alertmanager.read_text()
    for compose_host in ("pushgateway:", "alertmanager:", "alert-receiver:", "mailpit:"):
        assert compose_host not in text
