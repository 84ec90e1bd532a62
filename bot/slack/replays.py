"""The same signed Slack request twice is a replay: it gets 409, whichever web process it reaches.

Slack signs `v0:{timestamp}:{body}`, and accepts a timestamp up to five minutes old, so a request
copied off the wire can be sent again within that window with a valid signature. Each accepted
signature is written to `seen_signatures` (its primary key decides between processes racing on
the same one); the retention purge deletes rows older than the window. A signature this process
has seen is refused from memory, without asking the database.

Signatures arriving together are written together: while one INSERT is in flight the next ones
wait and go in the following one (group commit), so a burst of 50 requests costs a few
statements and one connection, not 50 of each queued on the pool before any answer.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from time import monotonic

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models import SeenSignature, utcnow
from models.db import Database

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=5 + 1)  # Slack's five minutes, and clock skew


class SeenSignatures:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._seen: dict[str, float] = {}  # signature -> when it stops mattering, oldest first
        self._waiting: dict[str, asyncio.Future[bool]] = {}  # for the next INSERT
        self._writer: asyncio.Task[None] | None = None

    async def first_time(self, signature: str) -> bool:
        if not self._remember(signature):
            return False
        try:
            return await self._record(signature)
        except Exception as exc:
            # With the database down the request is handled: someone asking for help (maybe at
            # risk) is answered, and this process's memory still refuses its own replays.
            log.warning("slack: could not record a request signature (%s)", type(exc).__name__)
            return True

    def _remember(self, signature: str) -> bool:
        now = monotonic()
        while self._seen:
            oldest, until = next(iter(self._seen.items()))
            if until > now:
                break
            del self._seen[oldest]
        if signature in self._seen:
            return False
        self._seen[signature] = now + WINDOW.total_seconds()
        return True

    async def _record(self, signature: str) -> bool:
        """True if no process had recorded `signature` before (it is recorded now)."""
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting[signature] = answer
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_waiting())
        return await answer

    async def _write_waiting(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, {}
                try:
                    new = await self._insert(list(batch))
                except Exception as exc:
                    for answer in batch.values():
                        answer.set_exception(exc)
                else:
                    for signature, answer in batch.items():
                        answer.set_result(signature in new)
        finally:
            self._writer = None

    async def _insert(self, signatures: list[str]) -> set[str]:
        """Insert the signatures; the ones no earlier row had (the primary key decides)."""
        insert = postgresql_insert if self.database.is_postgres else sqlite_insert
        now = utcnow()
        statement = (
            insert(SeenSignature)
            .values([{"signature": signature, "seen_at": now} for signature in signatures])
            .on_conflict_do_nothing()
            .returning(SeenSignature.signature)
        )
        async with self.database.session() as session, session.begin():
            return set(await session.scalars(statement))
