"""A peer's "unavailable" switch with a return time: back in 1, 3 or 7 days (at 08:00 in the
organisation's time zone); a due job makes them available again then and tells them so."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy import select

from handlers.core.i18n import t
from handlers.core.jobs import enqueue
from handlers.core.outbox import deliver
from handlers.core.people import Person, find_identity, identity_of, locale_of
from handlers.core.ports import Button, Message
from handlers.core.unit import Core
from models import DueJob, Organisation, Peer

RETURN = "peer.return"  # value: days away, "1", "3" or "7"
PEER_BACK = "peer_back"
DAYS = (1, 3, 7)
BACK_AT = time(8, 0)


def return_buttons(locale: str) -> list[Button]:
    return [
        Button(action=RETURN, label=t(locale, f"return.in.{days}"), value=str(days))
        for days in DAYS
    ]


def back_line(locale: str, back_at: datetime, zone: str) -> str:
    when = format_datetime(back_at, "EEE d MMM, HH:mm", tzinfo=ZoneInfo(zone), locale=locale)
    return t(locale, "return.until", when=when)


class PeerReturns:
    def __init__(self, core: Core) -> None:
        self.core = core

    def job_handlers(self) -> dict[str, Callable[[DueJob], Awaitable[dict[str, Any] | None]]]:
        return {PEER_BACK: self._back}

    async def away_for(self, person: Person, days: int) -> Message | None:
        if days not in DAYS:
            return None
        now = self.core.clock()
        async with self.core.changing() as session:
            identity = await find_identity(session, person)
            peer = (
                await session.scalar(select(Peer).where(Peer.identity_id == identity.id))
                if identity is not None
                else None
            )
            if identity is None or peer is None:
                return self.core.unknown(person)
            organisation = await session.get(Organisation, peer.organisation_id)
            assert organisation is not None
            zone = ZoneInfo(organisation.time_zone)
            day = now.astimezone(zone).date() + timedelta(days=days)
            back_at = datetime.combine(day, BACK_AT, tzinfo=zone)
            peer.available = False
            peer.unavailable_until = back_at
            await enqueue(
                session,
                kind=PEER_BACK,
                key=f"{PEER_BACK}:{peer.id}:{back_at.isoformat()}",
                run_at=back_at,
                organisation_id=organisation.id,
                payload={"peer_id": peer.id, "back_at": back_at.isoformat()},
            )
            locale = locale_of(identity, organisation)
        return Message(kind="notice", lines=[back_line(locale, back_at, organisation.time_zone)])

    async def _back(self, job: DueJob) -> dict[str, Any]:
        now = self.core.clock()
        async with self.core.changing() as session:
            peer = await session.get(Peer, job.payload["peer_id"])
            back_at = datetime.fromisoformat(job.payload["back_at"])
            if peer is None or peer.available or peer.unavailable_until != back_at:
                return {"skipped": "changed since"}  # switched back already, or a new time
            peer.available = True
            peer.unavailable_until = None
            identity = await identity_of(session, peer)
            organisation = await session.get(Organisation, peer.organisation_id)
            assert organisation is not None
            message = Message(
                kind="notice", lines=[t(locale_of(identity, organisation), "return.back")]
            )
            await deliver(session, to=identity, message=message, key=job.idempotency_key, now=now)
        return {"available": True}
