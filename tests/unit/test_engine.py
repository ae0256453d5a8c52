"""The warm Spark engine (medallion/engine.py): started, found, used, stopped for real.

The test starts its own engine on a free port in its own folder, so it never touches the
engine `make test` runs the DAGs on.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest
from support.services import free_port, require

from medallion import engine as engine_module
from spark.session import EngineUnreachableError, configure_job

pytestmark = [pytest.mark.spark, pytest.mark.slow]
CONNECT_FLAGS = ("SPARK_CONNECT_MODE_ENABLED", "SPARK_REMOTE", "SPARK_LOCAL_REMOTE")


@pytest.fixture(autouse=True)
def classic_spark_afterwards():
    """A Spark Connect session sets SPARK_CONNECT_MODE_ENABLED in the process, after which
    pyspark builds Connect columns even for the classic session later tests use."""
    yield
    for flag in CONNECT_FLAGS:
        os.environ.pop(flag, None)


def test_a_job_on_a_stopped_engine_fails_at_once_naming_make_engine():
    from pyspark.sql import SparkSession

    session = SparkSession.builder.remote(f"sc://127.0.0.1:{free_port()}").create()
    try:
        with pytest.raises(EngineUnreachableError, match="start it with `make engine`"):
            configure_job(session)
    finally:
        session.stop()


def test_the_engine_starts_once_answers_and_stops(tmp_path, monkeypatch):
    require(
        shutil.which("java") is not None,
        "Spark needs Java 17: apt-get install openjdk-17-jre-headless",
    )
    engine = engine_module.configured(port=free_port(), home=tmp_path / "engine")
    assert engine_module.status(engine)[0] is False
    try:
        started = engine_module.start(engine, memory="512m")
        assert started.startswith(f"Spark engine started at {engine.url}"), started
        assert engine_module.start(engine).startswith("Spark engine already running"), "twice"
        running, line = engine_module.status(engine)
        assert running and str(engine.log) in line

        from pyspark.sql import SparkSession

        session = SparkSession.builder.remote(engine.url).create()
        try:
            configure_job(session)
            assert session.conf.get("spark.sql.session.timeZone") == "UTC"
            assert session.range(5).selectExpr("sum(id)").collect()[0][0] == 10
        finally:
            session.stop()
    finally:
        stopped = engine_module.stop(engine)
    assert stopped.startswith("Spark engine stopped"), stopped
    assert engine_module.status(engine)[0] is False
    assert not engine.listening()
    assert_quiet_spark_log(engine.log.read_text())


def assert_quiet_spark_log(log: str) -> None:
    """Spark logged with spark/conf/log4j2.properties: warnings and errors, and the Connect
    server's own lines; not Spark's default profile (INFO, megabytes an hour)."""
    assert "Using Spark's default log4j profile" not in log
    # "26/12/05 06:59:07 WARN Utils: ..." (the file's pattern: date time level logger:)
    levels = re.findall(r"^\d\d/\d\d/\d\d [\d:]+ ([A-Z]+) (\w+):", log, flags=re.MULTILINE)
    assert levels, f"no log4j lines in the engine log:\n{log[-2000:]}"
    chatty = [f"{level} {logger}" for level, logger in levels if level in ("INFO", "DEBUG")]
    assert set(chatty) <= {"INFO SparkConnectServer"}, sorted(set(chatty))
