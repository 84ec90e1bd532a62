"""Outgoing messages are due jobs of kind `deliver`, written in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.jobs import enqueue
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
