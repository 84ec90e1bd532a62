"""Keeping the roster healthy: training reminders and lapses, and coverage-gap warnings.

Both run as periodic tasks in every worker; what they send is keyed (peer and date, gap start),
so each reminder or warning goes out once however many workers run them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import notices
from handlers.core.outbox import deliver
from handlers.core.people import identity_of, locale_of
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.roster.notify import tell_coordinators
from handlers.roster.on_call import on_call, open_caseloads
from models import Organisation, Peer, Tier

REMINDER_AHEAD = timedelta(days=30)
SAMPLE_EVERY = timedelta(hours=1)


def _trained(peer: Peer, day: date) -> bool:
    return peer.training_valid_until is None or peer.training_valid_until >= day


async def lapsing_peers(
    session: AsyncSession, organisation: Organisation, today: date
) -> list[Peer]:
    """Active peers whose training lapses within 30 days of `today` (or has lapsed), soonest
    first."""
    peers = await session.scalars(
        select(Peer)
        .where(
            Peer.organisation_id == organisation.id,
            Peer.active.is_(True),
            Peer.training_valid_until <= today + REMINDER_AHEAD,
        )
        .order_by(Peer.training_valid_until, Peer.id)
    )
    return list(peers)


class RosterWatch:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.database = core.database

    async def check_training(self) -> int:
        """Remind peers 30 days before their training lapses, and tell them when it has.

        Returns how many peers are concerned (each hears once per reminder: keyed messages).
        """
        now = self.core.clock()
        queued = 0
        async with self.database.session() as session, session.begin():
            for organisation in list(await session.scalars(select(Organisation))):
                today = now.astimezone(ZoneInfo(organisation.time_zone)).date()
                peers = await session.scalars(
                    select(Peer).where(
                        Peer.organisation_id == organisation.id,
                        Peer.active.is_(True),
                        Peer.training_valid_until.is_not(None),
                        Peer.training_valid_until <= today + REMINDER_AHEAD,
                    )
                )
                for peer in peers:
                    assert peer.training_valid_until is not None
                    key = (
                        "training.lapsed"
                        if peer.training_valid_until < today
                        else ("training.reminder")
                    )
                    identity = await identity_of(session, peer)
                    message = notices.notice(
                        locale_of(identity, organisation),
                        key,
                        date=peer.training_valid_until.isoformat(),
                    )
                    await deliver(
                        session,
                        to=identity,
                        message=message,
                        key=f"{key}:{peer.id}:{peer.training_valid_until.isoformat()}",
                        now=now,
                    )
                    queued += 1
        self.core.after_commit()
        return queued

    async def lapsing(self, organisation_id: int) -> list[Peer]:
        """Active peers whose training lapses within 30 days (or has lapsed), soonest first."""
        now = self.core.clock()
        async with self.database.session() as session:
            organisation = await session.get(Organisation, organisation_id)
            if organisation is None:
                raise LookupError(f"no organisation {organisation_id}")
            today = now.astimezone(ZoneInfo(organisation.time_zone)).date()
            return await lapsing_peers(session, organisation, today)

    async def warn_coverage_gaps(self) -> int:
        """Warn coordinators of a coming hour with no trained, available peer on call, and (once
        a day while it lasts) of having nobody who can take a request right now."""
        now = self.core.clock()
        warned = 0
        async with self.database.session() as session, session.begin():
            for organisation in list(await session.scalars(select(Organisation))):
                zone = ZoneInfo(organisation.time_zone)
                if not await self._can_take_one_now(session, organisation, now, zone):
                    today = now.astimezone(zone).date().isoformat()
                    await self._tell_coordinators(
                        session, organisation, "coverage.none_now", f"coverage-now:{today}", now
                    )
                    warned += 1
                    continue
                gap = await self._first_gap(session, organisation, now)
                if gap is None:
                    continue
                warned += 1
                await self._tell_coordinators(
                    session, organisation, "coverage.gap", f"coverage:{gap.isoformat()}", now, gap
                )
        self.core.after_commit()
        return warned

    async def _tell_coordinators(
        self,
        session: AsyncSession,
        organisation: Organisation,
        key: str,
        once: str,
        now: datetime,
        start: datetime | None = None,
    ) -> None:
        zone = ZoneInfo(organisation.time_zone)

        def message_for(locale: str) -> Message:
            when = (
                format_datetime(start.astimezone(zone), "EEEE d MMM, HH:mm", locale=locale)
                if start
                else None
            )
            return notices.notice(locale, key, start=when)

        await tell_coordinators(
            session, organisation, message_for, f"{once}:{organisation.id}", now
        )

    async def _can_take_one_now(
        self, session: AsyncSession, organisation: Organisation, now: datetime, zone: ZoneInfo
    ) -> bool:
        """Someone trained and on call now with room under their caseload cap."""
        day = now.astimezone(zone).date()
        on_duty = await on_call(session, organisation, Tier.PEER, now)
        peers = [peer for peer in on_duty if _trained(peer, day)]
        if not peers:
            return False
        caseloads = await open_caseloads(session, [peer.id for peer in peers])
        return any(caseloads.get(peer.id, 0) < peer.caseload_cap for peer in peers)

    async def _first_gap(
        self, session: AsyncSession, organisation: Organisation, now: datetime
    ) -> datetime | None:
        """The start of the first gap within the warning window: an hour with nobody to ask
        that follows an hour with someone. Hours are sampled on the hour, so a gap keeps its
        key from one run to the next and is warned about once; a gap already under way (or a
        roster with nobody at all) is not announced again every hour."""
        zone = ZoneInfo(organisation.time_zone)
        moment = now.replace(minute=0, second=0, microsecond=0)
        horizon = now + timedelta(hours=organisation.coverage_warning_hours)
        covered_before = await self._covered(session, organisation, moment, zone)
        while moment < horizon:
            moment += SAMPLE_EVERY
            covered = await self._covered(session, organisation, moment, zone)
            if covered_before and not covered:
                return moment
            covered_before = covered
        return None

    async def _covered(
        self, session: AsyncSession, organisation: Organisation, moment: datetime, zone: ZoneInfo
    ) -> bool:
        day = moment.astimezone(zone).date()
        peers = await on_call(session, organisation, Tier.PEER, moment)
        return any(_trained(peer, day) for peer in peers)
