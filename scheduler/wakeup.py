"""Waking the workers of other processes: PostgreSQL LISTEN on the due-jobs channel.

`enqueue` NOTIFYs when it writes a job due now, and PostgreSQL delivers the notification when
that transaction commits, so a worker starts on an offer or a confirmation at once instead of at
its next poll. Polling stays as the safety net: a notification missed while the connection was
down only costs a poll interval, and a reconnect wakes the engine in case one was missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from handlers.core.jobs import WAKE_CHANNEL

log = logging.getLogger(__name__)

RECONNECT_SECONDS = 5


def asyncpg_dsn(database_url: str) -> str:
    """The libpq-style address asyncpg wants, from SQLAlchemy's `postgresql+asyncpg://` URL."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresWakeup:
    """Calls `wake` at every NOTIFY on the due-jobs channel, reconnecting when the connection
    drops."""

    def __init__(self, database_url: str, wake: Callable[[], None]) -> None:
        self.dsn = asyncpg_dsn(database_url)
        self.wake = wake
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()  # set while LISTEN is in place (tests wait for it)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._listen())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _notified(self, *_args: Any) -> None:
        self.wake()

    async def _listen(self) -> None:
        while True:
            try:
                await self._listen_once()
                log.warning("job wake-ups: the database connection closed; reconnecting")
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                reason = type(exc).__name__
                log.warning("job wake-ups: cannot listen (%s); polling meanwhile", reason)
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen_once(self) -> None:
        """LISTEN on one connection until it closes."""
        connection = await asyncpg.connect(self.dsn, timeout=RECONNECT_SECONDS)
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _connection: lost.set())
            await connection.add_listener(WAKE_CHANNEL, self._notified)
            self.listening.set()
            self.wake()  # whatever was committed while nobody listened
            await lost.wait()
        finally:
            self.listening.clear()
            if not connection.is_closed():
                with contextlib.suppress(Exception):
                    await asyncio.shield(connection.close(timeout=1))
