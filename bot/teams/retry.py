"""Retry Bot Connector calls on 429 (honouring Retry-After) and on 5xx, a bounded number of times.

The connector client raises `HttpOperationError` (its `ErrorResponseException`) with the HTTP
response and does not retry by itself. What is still failing after the last attempt is raised,
and the job engine retries the delivery later with its own backoff.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from msrest.exceptions import HttpOperationError

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


def status_of(exc: HttpOperationError) -> int | None:
    return getattr(exc.response, "status_code", None)


def retry_after(exc: HttpOperationError) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    headers = getattr(exc.response, "headers", None) or {}
    raw = headers.get("Retry-After")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass
class RetryPolicy:
    attempts: int = 4
    longest_wait: float = 60.0  # a longer Retry-After is left to the job engine
    server_error_wait: float = 1.0  # doubled after each 5xx
    sleep: Sleep = asyncio.sleep

    def wait_before_retry(self, exc: HttpOperationError, attempt: int) -> float | None:
        status = status_of(exc)
        if status == 429:
            wait = retry_after(exc)
            wait = self.server_error_wait if wait is None else wait
        elif status is not None and status >= 500:
            wait = self.server_error_wait * 2 ** (attempt - 1)
        else:
            return None
        return wait if wait <= self.longest_wait else None

    async def run(self, call: Callable[[], Awaitable[T]]) -> T:
        attempt = 1
        while True:
            try:
                return await call()
            except HttpOperationError as exc:
                wait = self.wait_before_retry(exc, attempt)
                if wait is None or attempt >= self.attempts:
                    raise
            await self.sleep(wait)
            attempt += 1
