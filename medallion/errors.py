"""The two kinds of failure the pipeline distinguishes.

- A **data error** is permanent: the same input will fail the same way however often the
  task is retried (a corrupt file, a broken contract, a failed quality gate). Tasks turn
  it into an immediate failure without retries, with a message saying what to fix.
- Anything else (a source not reachable yet, a timeout, a lost executor) is treated as
  transient and retried with exponential backoff by Airflow.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class DataError(Exception):
    """Permanent problem with the data or its contract: retrying cannot fix it."""


class SchemaMismatchError(DataError):
    """A delivered file's columns do not match its contract."""


class EmptyFileError(DataError):
    """A delivered file has no header line at all (0 bytes or blank)."""


class EmptyDeliveryError(DataError):
    """A day's delivery holds a header and no rows, and its contract does not allow that."""


class CorruptFileError(DataError):
    """A delivered file cannot be read at all (empty, binary, wrong encoding, cut short)."""


class SourceRejectedError(DataError):
    """A source refused a request for good (a 4xx other than 408/429): fix the request."""


class SourceUnavailableError(Exception):
    """A source kept failing transiently (timeouts, 5xx) through every quick retry."""


class MissingDeliveryError(Exception):
    """The landing folder for a date is empty. Transient: the source may deliver late."""


@contextmanager
def fail_fast_on_data_errors() -> Iterator[None]:
    """Inside an Airflow task: turn a DataError into an immediate failure (no retries)."""
    try:
        yield
    except DataError as error:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(f"{type(error).__name__}: {error}") from error
