"""A peer's own state: on the roster, available or not, on call when, and their open cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from handlers.core import notices
from handlers.core.i18n import pick_locale, t
from handlers.core.people import Person, find_identity, locale_of
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.roster.return_time import return_buttons
from handlers.roster.schedule import own_time_on_call
from models import Organisation, Peer, RequestStatus, SupportRequest

AVAILABILITY = "peer.availability"  # the button of a peer's "unavailable" switch: "on" or "off"
STATUS_AHEAD = timedelta(days=14)  # how far a peer's home looks for their next time on call


@dataclass(frozen=True)
class PeerStatus:
    tier: str
    available: bool
    open_cases: list[str]  # the references of the cases they accepted and have not closed
    on_call_now: bool
    on_call_from: datetime | None  # their current or next stretch on call (two weeks ahead)
    on_call_until: datetime | None  # None if it goes on beyond those two weeks
    time_zone: str
    back_at: datetime | None = None  # when an unavailable peer said they would be back


class PeerStatuses:
    """A peer's own view of themselves, and their unavailable switch."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def peer_status(self, person: Person) -> PeerStatus | None:
        """What a peer's home view shows: their tier, whether and when they are on call, their
        switch, their open cases."""
        now = self.core.clock()
        async with self.core.database.session() as session:
            identity = await find_identity(session, person)
            peer = (
                await session.scalar(
                    select(Peer).where(Peer.identity_id == identity.id, Peer.active.is_(True))
                )
                if identity is not None
                else None
            )
            if peer is None:
                return None
            organisation = await session.get(Organisation, peer.organisation_id)
            assert organisation is not None
            cases = await session.scalars(
                select(SupportRequest)
                .where(
                    SupportRequest.accepted_peer_id == peer.id,
                    SupportRequest.status == RequestStatus.ACCEPTED.value,
                )
                .order_by(SupportRequest.accepted_at)
            )
            stretch = await own_time_on_call(session, organisation, peer, now, now + STATUS_AHEAD)
            return PeerStatus(
                tier=peer.tier,
                available=peer.available,
                open_cases=[case.reference for case in cases],
                on_call_now=stretch is not None and stretch.starts_at <= now,
                on_call_from=stretch.starts_at if stretch else None,
                on_call_until=(
                    stretch.ends_at if stretch and stretch.ends_at <= now + STATUS_AHEAD else None
                ),
                time_zone=organisation.time_zone,
                back_at=None if peer.available else peer.unavailable_until,
            )

    async def set_available(self, person: Person, available: bool) -> Message:
        """A peer's own unavailable switch (the roster skips them while it is off)."""
        async with self.core.database.session() as session, session.begin():
            identity = await find_identity(session, person)
            peer = (
                await session.scalar(select(Peer).where(Peer.identity_id == identity.id))
                if identity is not None
                else None
            )
            if identity is None or peer is None:
                locale = pick_locale(person.locale, self.core.defaults.locale)
                return notices.notice(locale, "availability.not_a_peer")
            peer.available = available
            peer.unavailable_until = None  # the switch by hand replaces any return time
            organisation = await session.get(Organisation, identity.organisation_id)
            assert organisation is not None
            locale = locale_of(identity, organisation)
        if available:
            return notices.notice(locale, "availability.on")
        return Message(  # away: and when will they be back? (typed, or from a card)
            kind="notice",
            lines=[t(locale, "availability.off"), t(locale, "return.ask")],
            buttons=return_buttons(locale),
        )
