"""The same signed Slack request twice is a replay: it gets 409, whichever web process it reaches.

Slack signs `v0:{timestamp}:{body}`, and accepts a timestamp up to five minutes old, so a request
copied off the wire can be sent again within that window with a valid signature. Each accepted
signature is written to `seen_signatures` (its primary key decides between processes racing on
the same one); the retention purge deletes rows older than the window. A signature this process
has seen is refused from memory, without asking the database.
"""

from __future__ import annotations

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
        insert = postgresql_insert if self.database.is_postgres else sqlite_insert
        statement = (
            insert(SeenSignature)
            .values(signature=signature, seen_at=utcnow())
            .on_conflict_do_nothing()
        )
        async with self.database.session() as session, session.begin():
            result = await session.execute(statement)
        return result.rowcount == 1
