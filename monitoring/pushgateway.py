"""Sending metrics to the Pushgateway: short timeout, one warning per process, never raise.

Which metrics exist and what they mean is monitoring.metrics' business; this module only
carries samples to the gateway named by MEDALLION_PUSHGATEWAY_URL.

- Unset: nothing is sent; the process logs once that metrics are off.
- Unreachable (refused, timed out, unknown host): the push gives up after
  PUSH_TIMEOUT_SECONDS; the first such failure of a process is logged as a warning and the
  task goes on. Metrics are a view of a run, never a reason to fail one.
- The gateway answers with an error (e.g. labels inconsistent with an earlier push): that
  is a bug to fix, so it is logged as a warning every time, with the gateway's reason.
"""

from __future__ import annotations

import logging
import os
import urllib.error
from dataclasses import dataclass

JOB = "medallion"
PUSHGATEWAY_URL_VARIABLE = "MEDALLION_PUSHGATEWAY_URL"
# Short, so a dead gateway costs a task seconds, not minutes (prometheus-client's default
# is 30 s).
PUSH_TIMEOUT_SECONDS = 2.0

log = logging.getLogger(__name__)
# Keys of the messages this process has already logged.
_logged_once: set[str] = set()


@dataclass(frozen=True)
class Sample:
    """One value of one metric, with its help text and the labels that are not group labels."""

    metric: str
    help: str
    value: float
    labels: dict[str, str]


def push_samples(
    group: dict[str, str], samples: list[Sample], *, replace_group: bool = False
) -> bool:
    """Send `samples` to the group `{job="medallion", **group}`; True if the gateway took them.

    A push replaces, inside the group, every series of the metric names it carries (POST);
    with `replace_group` it replaces the whole group (PUT).
    """
    gateway = os.environ.get(PUSHGATEWAY_URL_VARIABLE, "").strip()
    if not gateway:
        _log_once(
            "off", logging.INFO, f"{PUSHGATEWAY_URL_VARIABLE} is not set: run metrics are off"
        )
        return False
    # Imported here, not at the top: DAG files import the callbacks that import this
    # module, and parsing DAG files must stay cheap.
    from prometheus_client import CollectorRegistry, push_to_gateway, pushadd_to_gateway

    registry = CollectorRegistry()
    _register_gauges(registry, samples)
    push = push_to_gateway if replace_group else pushadd_to_gateway
    try:
        push(gateway, JOB, registry, grouping_key=group, timeout=PUSH_TIMEOUT_SECONDS)
    except urllib.error.HTTPError as refused:
        reason = refused.read(300).decode("utf-8", "replace").strip()
        log.warning(
            "Pushgateway %s refused the metrics of %s: HTTP %s %s",
            gateway,
            group,
            refused.code,
            reason,
        )
        return False
    except OSError as unreachable:  # refused connection, timeout, unknown host
        _log_once(
            "unreachable",
            logging.WARNING,
            f"run metrics were not pushed: Pushgateway {gateway} is unreachable "
            f"({unreachable}); the pipeline goes on without them",
        )
        return False
    return True


def _register_gauges(registry, samples: list[Sample]) -> None:
    from prometheus_client import Gauge

    gauges = {}
    for sample in samples:
        if sample.metric not in gauges:
            labelnames = sorted(sample.labels)
            gauges[sample.metric] = Gauge(sample.metric, sample.help, labelnames, registry=registry)
        gauge = gauges[sample.metric]
        (gauge.labels(**sample.labels) if sample.labels else gauge).set(sample.value)


def _log_once(key: str, level: int, message: str) -> None:
    if key not in _logged_once:
        _logged_once.add(key)
        log.log(level, message)
