"""Helpers for the test suite's fixtures (tests/conftest.py)."""
