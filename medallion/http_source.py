"""Calling an HTTP source the production way: timeouts, backoff with jitter, Retry-After.

| what happened                                  | transient? | what the client does               |
|------------------------------------------------|------------|------------------------------------|
| connection refused / reset, connect timeout    | yes        | retries with exponential backoff   |
| no answer within the read timeout              | yes        | retries with exponential backoff   |
| 5xx, 408                                       | yes        | retries (honours `Retry-After`)    |
| 429 Too Many Requests                          | yes        | waits `Retry-After`, then retries  |
| a body cut short or not JSON                   | yes        | retries with exponential backoff   |
| any other 4xx (401, 403, 404, ...)             | no         | SourceRejectedError at once        |

Waits grow as base x 2^(attempt-1), capped, with "full jitter" (a random wait between 0
and that bound), so many clients that failed together do not retry together. When
the attempts run out the client raises SourceUnavailableError: not a data error, so
Airflow's own retries (exponential backoff, minutes apart) take over from there.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from medallion.errors import SourceRejectedError, SourceUnavailableError

log = logging.getLogger(__name__)

TRANSIENT_STATUS = {408, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait for an answer, and how to retry; seconds throughout."""

    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    attempts: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    retry_after_cap: float = 60.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform between 0 and base x 2^(attempt-1), at most the cap."""
        return rng.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))


DEFAULT_POLICY = RetryPolicy()


class _Transient(Exception):
    """One failed try worth another; `retry_after` is the server's wish, if it said one."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


def get_json(
    session: requests.Session,
    url: str,
    params: dict,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> dict:
    """GET `url` and return its JSON body, retrying transient failures per `policy`."""
    rng = rng or random.Random()
    for attempt in range(1, policy.attempts + 1):
        try:
            return _try_once(session, url, params, policy)
        except _Transient as failure:
            if attempt == policy.attempts:
                raise SourceUnavailableError(
                    f"GET {url} {params} failed {attempt} times, last: {failure}. The source "
                    f"seems down; the task will be retried later."
                ) from failure
            wait = policy.backoff(attempt, rng)
            if failure.retry_after is not None:
                wait = max(wait, min(failure.retry_after, policy.retry_after_cap))
            log.warning(
                "GET %s attempt %d/%d failed (%s); retrying in %.2f s",
                url,
                attempt,
                policy.attempts,
                failure,
                wait,
            )
            sleep(wait)
    raise AssertionError("unreachable: the loop returns or raises")


def _try_once(session: requests.Session, url: str, params: dict, policy: RetryPolicy) -> dict:
    timeout = (policy.connect_timeout, policy.read_timeout)
    try:
        response = session.get(url, params=params, timeout=timeout)
        if response.status_code in TRANSIENT_STATUS:
            raise _Transient(f"HTTP {response.status_code}", _retry_after(response))
        if 400 <= response.status_code < 500:
            raise SourceRejectedError(
                f"GET {response.url} answered HTTP {response.status_code} "
                f"{response.reason}: {response.text[:200]!r}. Retrying cannot fix this: check "
                f"the URL, the date and the credentials of the connection."
            )
        response.raise_for_status()
        return response.json()
    except (requests.ConnectionError, requests.Timeout) as error:
        raise _Transient(type(error).__name__) from error
    except requests.exceptions.ChunkedEncodingError as error:
        raise _Transient("the body was cut short") from error
    except requests.JSONDecodeError as error:
        raise _Transient(f"the body is not complete JSON ({error})") from error


def _retry_after(response: requests.Response) -> float | None:
    """`Retry-After` in seconds (the HTTP-date form is treated as absent)."""
    value = response.headers.get("Retry-After", "")
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None
