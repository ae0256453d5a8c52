"""Observability of the pipeline: run metrics, failure notifications and the alerting stack.

- `monitoring.metrics`: the metrics, and the functions tasks call to push them.
- `monitoring.partition_metrics`: push a committed lake partition's numbers in one call.
- `monitoring.pushgateway`: how a push travels (short timeout, one warning, never raises).
- `monitoring.notifications` (+ `messages`): Airflow callbacks for failures and successes.
- `monitoring.local_stack` (+ `stack_config`): Pushgateway, Prometheus, Alertmanager on
  loopback for `make monitor` and the tests.
- `monitoring.dashboards`: the Grafana panels' queries, for testing them.
- `prometheus/`, `alertmanager/`, `grafana/`: configuration, alert rules and dashboards.

monitoring/README.md lists the metrics and the alerts and shows how to look at them.
"""
