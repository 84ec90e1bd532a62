"""The Slack Web API client every call goes through: one base URL, one HTTP session per process,
retries on 429, 5xx and dropped connections."""

from __future__ import annotations

import asyncio

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

RATE_LIMIT_RETRIES = 3
SERVER_ERROR_RETRIES = 2
CONNECTION_RETRIES = 2


class AnyServerErrorRetryHandler(AsyncServerErrorRetryHandler):
    """slack_sdk's handler retries 500 and 503 only; a 502 or 504 from a proxy is as transient."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and 500 <= response.status_code < 600


def retry_handlers() -> list[AsyncRetryHandler]:
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
        # Sleeps for the Retry-After Slack sends, then tries again.
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        AnyServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
    ]


class SharedSessionClient(AsyncWebClient):
    """An `AsyncWebClient` whose calls share one aiohttp session, and so its pool of open
    connections: without one, slack_sdk opens a session and a TCP connection for every call.
    Bolt gives each request a client of its own made with this one's `session`, so theirs share
    it too. The session is opened on first use, inside the running event loop (aiohttp binds a
    session to its loop), and again if that loop has gone (each test runs its own)."""

    _shared: aiohttp.ClientSession | None = None
    _shared_loop: asyncio.AbstractEventLoop | None = None

    @property  # type: ignore[override]
    def session(self) -> aiohttp.ClientSession | None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return self._shared
        mine = self._shared_loop is not None  # a session given from outside is left as it is
        if self._shared is None or self._shared.closed or (mine and self._shared_loop is not loop):
            self._shared = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                trust_env=self.trust_env_in_session,
            )
            self._shared_loop = loop
        return self._shared

    @session.setter
    def session(self, value: aiohttp.ClientSession | None) -> None:
        self._shared = value
        self._shared_loop = None

    async def close(self) -> None:
        """Close the shared session (a shutdown)."""
        if self._shared is not None and not self._shared.closed:
            await self._shared.close()
        self._shared = None


def web_client(base_url: str, token: str | None = None) -> SharedSessionClient:
    """A client for `base_url` (Slack's, GovSlack's, or a fake one in tests)."""
    if not base_url.endswith("/"):
        base_url += "/"  # slack_sdk appends the method name as is
    return SharedSessionClient(token=token, base_url=base_url, retry_handlers=retry_handlers())
