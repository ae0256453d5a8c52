"""Fixtures shared by the whole suite.

- `data_dir`: an empty data folder (landing/, lake/, warehouse/) for one test, exported as
  MEDALLION_DATA_DIR so every module of the pipeline reads and writes there.
- `spark`: one local SparkSession for the whole run (starting a JVM costs seconds).
"""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("MEDALLION_DATA_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def spark():
    if not os.environ.get("JAVA_HOME") and not shutil.which("java"):
        message = "Spark tests need Java 17: install openjdk-17-jre-headless or set JAVA_HOME"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from spark.session import local_session

    session = local_session("medallion-tests")
    yield session
    session.stop()
