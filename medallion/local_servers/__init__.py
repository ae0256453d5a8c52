"""Servers the project starts for itself on loopback: PostgreSQL and Redis.

Nothing has to be running beforehand. Tests start throw-away ones; make targets that need
a database start one under .airflow/ and `make reset` stops it.
"""
