"""The extract step's database comes from an Airflow connection, looked up at run time."""

from __future__ import annotations

import json

import pytest

from medallion.extract import extract_step, jdbc_source_from_connection


def test_a_postgres_connection_becomes_a_jdbc_address(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_ECOMMERCE_SOURCE",
        json.dumps({"conn_type": "postgres", "host": "source-db", "port": 5433,
                    "login": "shop", "password": "not-in-logs", "schema": "shop"}),
    )  # fmt: skip
    source = jdbc_source_from_connection("ecommerce_source")
    assert source.url == "jdbc:postgresql://source-db:5433/shop"
    assert (source.user, source.password) == ("shop", "not-in-logs")
    assert "not-in-logs" not in repr(source)


def test_a_connection_of_another_type_is_refused_with_what_to_fix(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_ECOMMERCE_SOURCE", json.dumps({"conn_type": "http", "host": "shop"})
    )
    with pytest.raises(ValueError, match="must be of type postgres"):
        jdbc_source_from_connection("ecommerce_source")


def test_events_are_not_extracted_from_the_database():
    with pytest.raises(ValueError, match="ecommerce.events is not extracted from a database"):
        extract_step(None, "ecommerce", "events", "2026-11-01", "ecommerce_daily", "extract_events")
