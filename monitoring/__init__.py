"""Observability of the pipeline: run metrics, failure notifications and the alerting stack.

- `monitoring.metrics`: push run statistics to a Prometheus Pushgateway.
- `monitoring.partition_metrics`: push a committed lake partition's numbers in one call.
- `monitoring.notifications`: Airflow callbacks (failure notifications, success summary).
- `monitoring.local_stack`: start Pushgateway, Prometheus and Alertmanager on loopback.
- `prometheus/`, `alertmanager/`, `grafana/`: configuration, alert rules and dashboards.

See monitoring/README.md for the metrics, the alerts and how to look at them.
"""
