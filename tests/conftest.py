"""Fixtures shared by the whole suite. Everything they start is real and on loopback.

- `data_dir`: an empty data folder for one test, exported as MEDALLION_DATA_DIR so every
  module of the pipeline reads and writes there.
- `spark`: one local SparkSession for the whole run (starting a JVM costs seconds).
- `monitoring_stack` (session): Pushgateway, Prometheus and Alertmanager from the Debian
  packages (monitoring.local_stack) on free ports, with one-second intervals. Alertmanager
  delivers to `alertmanager_webhook` and `alertmanager_smtp`. `.query(promql)` asks
  Prometheus.
- `pushgateway_url`: MEDALLION_PUSHGATEWAY_URL pointed at that stack for one test.
- `webhook_receiver`, `smtp_server` (per module): an HTTP server and an SMTP server
  (aiosmtpd) that record what they receive.
- `gateway_samples(url, metric, **labels)`: what the Pushgateway holds now.
- `unused_port()`: a loopback port nobody listens on; `wait_until(probe)`: poll until truthy.
- `postgres_server` (session): a throw-away PostgreSQL cluster of this run (initdb into a
  temporary folder, a free loopback port, trust auth), removed at the end;
  `support.lab_processes.scratch_database(server)` gives a test a database of its own.
- `redis_server` (session): redis-server on a free loopback port, nothing kept on disk.
- `airflow_runner` (session): `airflow dags test` in its own Airflow home and data folder.
- `ecommerce_run` (session): two generated days run through ecommerce_daily, pushing
  metrics to the monitoring stack and OpenLineage events to `lineage_file`; shared by the
  integration and monitoring tests.

Services that are not installed make their tests skip with a one-line reason saying how to
install them; with CI set they fail instead, so CI can never go green by skipping.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from support.airflow import ECOMMERCE_DATES, AirflowRunner
from support.services import (
    free_port,
    poll,
    require,
    require_prometheus_tools,
    serve_http,
    serve_smtp,
)

from medallion.engine import connection_engine_port, port_open
from medallion.local_servers import postgres, redis
from monitoring.local_stack import LocalStack, StackError
from monitoring.stack_config import FAST_TIMINGS, Ports


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("MEDALLION_DATA_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def spark():
    require(
        bool(os.environ.get("JAVA_HOME") or shutil.which("java")),
        "Spark tests need Java 17: apt-get install openjdk-17-jre-headless (or set JAVA_HOME)",
    )
    from spark.session import local_session

    session = local_session("medallion-tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def postgres_server():
    require(postgres.find_binaries() is not None, f"PostgreSQL: {postgres.INSTALL_HINT}")
    # Under /tmp, not pytest's tmp_path: run as root, the cluster belongs to the `postgres`
    # user, who cannot enter pytest's private folders.
    server = postgres.LocalPostgres(Path(tempfile.mkdtemp(prefix="medallion-pg-")), free_port())
    server.start()
    yield server
    server.remove()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    require(redis.find_binary() is not None, f"Redis: {redis.INSTALL_HINT}")
    with redis.LocalRedis(tmp_path_factory.mktemp("redis"), free_port()) as server:
        yield server


@pytest.fixture(scope="session")
def airflow_runner(tmp_path_factory) -> AirflowRunner:
    require(
        "AIRFLOW_CONN_SPARK_DEFAULT" in os.environ,
        "DAG runs need the embedded environment (Java, spark_default): run them with `make test`",
    )
    engine_port = connection_engine_port(os.environ["AIRFLOW_CONN_SPARK_DEFAULT"])
    require(
        engine_port is None or port_open(engine_port),
        f"spark_default is the warm Spark engine, not running on port {engine_port}: "
        "start it with `make engine` (make test does)",
    )
    root = tmp_path_factory.mktemp("integration")
    # Metrics go nowhere unless a test points them at its own monitoring stack.
    runner = AirflowRunner(root / "airflow_home", root / "data", {"MEDALLION_PUSHGATEWAY_URL": ""})
    runner.data_dir.mkdir()
    runner.migrate()
    return runner


@pytest.fixture(scope="session")
def ecommerce_run(airflow_runner, monitoring_stack):
    """Generate two days of deliveries and run ecommerce_daily for each, with metrics and
    lineage events on."""
    from medallion.generate.ecommerce import generate_ecommerce

    generate_ecommerce(
        out_dir=airflow_runner.data_dir / "landing" / "ecommerce",
        start=date.fromisoformat(ECOMMERCE_DATES[0]),
        days=len(ECOMMERCE_DATES),
        orders_per_day=300,
        seed=7,
    )
    airflow_runner.env["MEDALLION_PUSHGATEWAY_URL"] = monitoring_stack.url("pushgateway")
    airflow_runner.env["AIRFLOW__OPENLINEAGE__DISABLED"] = "false"
    try:
        for ds in ECOMMERCE_DATES:
            airflow_runner.run_dag("ecommerce_daily", ds)
    finally:
        airflow_runner.env["MEDALLION_PUSHGATEWAY_URL"] = ""
        airflow_runner.env["AIRFLOW__OPENLINEAGE__DISABLED"] = "true"
    # Later tests add runs to this Airflow home (a re-run without metrics, a failing date);
    # tests that read "the last run" use this copy of the state the two runs left.
    airflow_runner.airflow_home_as_set_up = airflow_runner.airflow_home.with_name(
        "airflow_home_as_set_up"
    )
    copy = airflow_runner.airflow_home_as_set_up
    shutil.copytree(airflow_runner.airflow_home, copy)
    # airflow.cfg names its metadata DB by absolute path: point the copy at its own.
    config = copy / "airflow.cfg"
    config.write_text(
        config.read_text().replace(str(airflow_runner.airflow_home) + "/", f"{copy}/")
    )
    return airflow_runner


@pytest.fixture(scope="session")
def prometheus_tools():
    require_prometheus_tools()


@pytest.fixture(scope="session")
def wait_until():
    return poll


@pytest.fixture(scope="session")
def unused_port():
    """A function returning a free loopback port: a service that is down."""
    return free_port


@pytest.fixture(scope="session")
def gateway_samples():
    """A function: the series of a metric the Pushgateway holds now, matching some labels."""

    def samples(gateway_url: str, metric: str, **labels: str) -> dict[tuple, float]:
        text = requests.get(f"{gateway_url}/metrics", timeout=5).text
        return {
            tuple(sorted(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == metric and labels.items() <= sample.labels.items()
        }

    return samples


@pytest.fixture(scope="session")
def alertmanager_webhook():
    server = serve_http()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def webhook_receiver():
    server = serve_http()
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def alertmanager_smtp():
    controller, handler = serve_smtp()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture(scope="module")
def smtp_server():
    controller, handler = serve_smtp()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture(scope="session")
def monitoring_stack(tmp_path_factory, alertmanager_webhook, alertmanager_smtp):
    require_prometheus_tools()
    # A free port can be taken by another process before the service binds it: on a busy
    # machine, try again with fresh ports rather than fail the whole session.
    for attempt in range(3):
        ports = Ports(
            pushgateway=free_port(),
            prometheus=free_port(),
            alertmanager=free_port(),
            alert_webhook=alertmanager_webhook.port,
            smtp=alertmanager_smtp.port,
        )
        stack = LocalStack(tmp_path_factory.mktemp("monitoring-stack"), ports, FAST_TIMINGS)
        try:
            stack.start()
            break
        except StackError:
            if attempt == 2:
                raise
    yield stack
    stack.stop()


@pytest.fixture
def pushgateway_url(monitoring_stack, monkeypatch):
    url = monitoring_stack.url("pushgateway")
    monkeypatch.setenv("MEDALLION_PUSHGATEWAY_URL", url)
    return url
