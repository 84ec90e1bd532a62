"""Telling the people on the roster: every active coordinator, once per key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.outbox import deliver
from handlers.core.people import identity_of, locale_of
from handlers.core.ports import Message
from models import (
    Organisation,
    Peer,
    Tier,
)


async def coordinators(session: AsyncSession, organisation: Organisation) -> list[Peer]:
    """Everyone on the roster as coordinator, on call or not: alerts go to all of them."""
    result = await session.scalars(
        select(Peer)
        .where(
            Peer.organisation_id == organisation.id,
            Peer.tier == Tier.COORDINATOR.value,
            Peer.active.is_(True),
        )
        .order_by(Peer.id)
    )
    return list(result)


async def tell_coordinators(
    session: AsyncSession,
    organisation: Organisation,
    message_for: Callable[[str], Message],
    key: str,
    now: datetime,
    *,
    not_to: int | None = None,
) -> list[Peer]:
    """Each active coordinator (but the identity `not_to`) gets `message_for(their locale)`,
    keyed `key:<their peer id>` so it goes once however often this runs; returns who was
    told."""
    people = [
        peer for peer in await coordinators(session, organisation) if peer.identity_id != not_to
    ]
    for peer in people:
        identity = await identity_of(session, peer)
        message = message_for(locale_of(identity, organisation))
        await deliver(session, to=identity, message=message, key=f"{key}:{peer.id}", now=now)
    return people
