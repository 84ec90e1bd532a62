"""Outgoing messages are due jobs of kind `deliver`, written in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.jobs import NewJob, enqueue, enqueue_many
from handlers.core.ports import Message
from models import ChatIdentity, DueJob

DELIVER = "deliver"


async def deliver(
    session: AsyncSession,
    *,
    to: ChatIdentity,
    message: Message,
    key: str,
    now: datetime,
    update_of: DueJob | int | None = None,
) -> DueJob:
    """Queue `message` for `to` (or, with `update_of`, an in-place update of an earlier one)."""
    original = update_of.id if isinstance(update_of, DueJob) else update_of
    return await enqueue(
        session,
        kind=DELIVER,
        key=f"deliver:{key}",
        run_at=now,
        organisation_id=to.organisation_id,
        recipient_key=to.lookup_key,
        payload={
            "to": to.id,
            "message": message.model_dump(mode="json"),
            "update_of": original,
        },
    )


Outgoing = tuple[ChatIdentity, dict[str, Any], str]  # recipient, message as JSON, key


async def deliver_many(
    session: AsyncSession, outgoing: Sequence[Outgoing], now: datetime
) -> list[int]:
    """`deliver` for many (recipient, message as JSON, key) at once, in a few statements (a
    broadcast offer to a whole roster); returns the jobs' ids in the order given. Each job is
    the one `deliver` would write; the messages come as `Message.model_dump(mode="json")`, so a
    caller sending one message to many dumps it once."""
    return await enqueue_many(
        session,
        [
            NewJob(
                kind=DELIVER,
                key=f"deliver:{key}",
                run_at=now,
                organisation_id=to.organisation_id,
                recipient_key=to.lookup_key,
                payload={"to": to.id, "message": message, "update_of": None},
            )
            for to, message, key in outgoing
        ],
    )
