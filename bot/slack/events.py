"""Slack retries an event it thinks we missed (X-Slack-Retry-Num): each event_id is handled once.

The id is written before the listener runs, in its own transaction, so two deliveries racing on
two web processes cannot both pass: the database's primary key decides.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.processed import first_time
from bot.slack.people import PLATFORM
from models.db import Database

log = logging.getLogger(__name__)


async def _first_time(database: Database, event_id: str) -> bool:
    """With the database down the event is handled anyway: someone writing to the bot (maybe at
    risk) is answered from memory, and a rare repeat is the lesser harm."""
    try:
        return await first_time(database, PLATFORM, event_id)
    except Exception as exc:
        log.warning("slack: could not record an event id (%s)", type(exc).__name__)
        return True


def once_per_event(
    database: Database,
) -> Callable[..., Awaitable[BoltResponse]]:
    """A Bolt middleware; it answers 200 itself for a repeat (without next() Bolt says 404)."""

    async def middleware(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        body = req.body
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id and not await _first_time(database, event_id):
            return BoltResponse(status=200, body="")
        return await next()

    return middleware
