"""Who is on call over a span of time, as one list: rotation shifts and overrides, joined into
stretches, and a peer's own current or next stretch."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.roster.on_call import Shift, coming_shifts
from models import (
    Organisation,
    Override,
    Peer,
)


@dataclass(frozen=True)
class OnCallEntry:
    tier: str
    peer_id: int
    starts_at: datetime
    ends_at: datetime
    source: str  # "rotation" or "override"


async def on_call_schedule(
    session: AsyncSession, organisation: Organisation, start: datetime, end: datetime
) -> list[OnCallEntry]:
    """Who is on call from `start` to `end`: rotation shifts and overrides, in time order."""
    shifts: list[Shift] = await coming_shifts(session, organisation, start, end)
    overrides = await session.scalars(
        select(Override).where(
            Override.organisation_id == organisation.id,
            Override.ends_at > start,
            Override.starts_at < end,
        )
    )
    entries = [
        OnCallEntry(s.tier, s.peer_id, s.starts_at, s.ends_at, "rotation") for s in shifts
    ] + [OnCallEntry(o.tier, o.peer_id, o.starts_at, o.ends_at, "override") for o in overrides]
    return sorted(entries, key=lambda entry: (entry.starts_at, entry.tier, entry.peer_id))


def spans(entries: list[OnCallEntry]) -> list[OnCallEntry]:
    """`entries` (in time order) with back-to-back or overlapping stretches of the same peer in
    the same tier joined: each span is one stretch on call, its start a handoff to them."""
    joined: list[OnCallEntry] = []
    open_span: dict[tuple[str, int], int] = {}  # (tier, peer) -> index of their latest span
    for entry in entries:
        index = open_span.get((entry.tier, entry.peer_id))
        if index is not None and joined[index].ends_at >= entry.starts_at:
            latest = joined[index]
            joined[index] = replace(latest, ends_at=max(latest.ends_at, entry.ends_at))
            continue
        open_span[(entry.tier, entry.peer_id)] = len(joined)
        joined.append(entry)
    return joined


async def own_time_on_call(
    session: AsyncSession, organisation: Organisation, peer: Peer, now: datetime, end: datetime
) -> OnCallEntry | None:
    """The peer's stretch on call that covers `now`, else their next one before `end` (shifts
    an override hands to someone else do not count)."""
    handed_over = list(
        await session.scalars(
            select(Override).where(
                Override.replaces_peer_id == peer.id,
                Override.ends_at > now,
                Override.starts_at < end,
            )
        )
    )
    own = [
        entry
        for entry in await on_call_schedule(session, organisation, now, end)
        if entry.peer_id == peer.id
        and not any(o.starts_at <= max(entry.starts_at, now) < o.ends_at for o in handed_over)
    ]
    stretches = spans(own)
    return stretches[0] if stretches else None
