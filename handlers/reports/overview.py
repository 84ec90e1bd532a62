"""What a coordinator sees at a glance: who is on call, the coming handoffs, lapsing training,
each peer's cases this month (counts only), the latest closed week's headline figures and the
recent reach-ins' totals.

Only peers are named here, never anyone who asked for support: case counts come from the report's
caseloads and the week's figures from the report itself, small cells suppressed.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.people import Person
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.reports.figures import programme_report
from handlers.reports.overview_messages import CoordinatorOverview, Handoff, overview_messages
from handlers.reports.reach_in import figures_message, recent_figures
from handlers.reports.suppression import SmallNumbers, threshold_of
from handlers.roster.access import coordinator_peer
from handlers.roster.on_call import on_call
from handlers.roster.schedule import on_call_schedule, spans
from handlers.roster.watch import lapsing_peers
from models import TIER_ORDER, ChatIdentity, Organisation, Peer

HANDOFFS_AHEAD = timedelta(days=7)


class Overview:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def messages(self, person: Person, locale: str) -> list[Message]:
        """The coordinator's sections of the home view, in `locale`; nothing for anyone else."""
        async with self.core.database.session() as session:
            coordinator = await coordinator_peer(session, person)
            if coordinator is None:
                return []
            organisation = await session.get(Organisation, coordinator.organisation_id)
            assert organisation is not None
            overview = await self._gather(session, organisation)
            reach_in = await recent_figures(session, organisation, self.core.clock())
        return [
            *overview_messages(locale, overview),
            figures_message(locale, reach_in, threshold_of(organisation)),
        ]

    async def _gather(
        self, session: AsyncSession, organisation: Organisation
    ) -> CoordinatorOverview:
        now = self.core.clock()
        zone = ZoneInfo(organisation.time_zone)
        today = now.astimezone(zone).date()
        names = await _peer_names(session, organisation)
        on_call_now = []
        for tier in TIER_ORDER:
            peers = await on_call(session, organisation, tier, now)
            on_call_now.append((tier.value, tuple(names.get(peer.id, "?") for peer in peers)))
        schedule = await on_call_schedule(session, organisation, now, now + HANDOFFS_AHEAD)
        unavailable = set(
            await session.scalars(
                select(Peer.id).where(
                    Peer.organisation_id == organisation.id, Peer.available.is_(False)
                )
            )
        )
        handoffs = tuple(
            Handoff(
                entry.starts_at,
                entry.tier,
                names.get(entry.peer_id, "?"),
                available=entry.peer_id not in unavailable,
            )
            for entry in spans(schedule)
            if entry.starts_at > now
        )
        last_monday = today - timedelta(days=today.weekday() + 7)
        week = await programme_report(
            session, organisation, last_monday, last_monday + timedelta(days=6), "week"
        )
        month = await programme_report(session, organisation, today.replace(day=1), today, "month")
        counts = {int(load.peer.removeprefix("peer:")): load.cases for load in month.caseloads}
        caseloads = sorted(
            ((name, counts.get(peer_id, 0)) for peer_id, name in names.items()),
            key=lambda item: (-item[1], item[0].casefold()),
        )
        return CoordinatorOverview(
            time_zone=organisation.time_zone,
            today=today,
            on_call=tuple(on_call_now),
            handoffs=handoffs,
            lapsing=tuple(
                (names.get(peer.id, "?"), peer.training_valid_until)
                for peer in await lapsing_peers(session, organisation, today)
                if peer.training_valid_until is not None
            ),
            caseloads=tuple(caseloads),
            week=week.periods[0],
            threshold=week.threshold,
            nhs_rule=week.small_numbers == SmallNumbers.NHS,
        )


async def _peer_names(session: AsyncSession, organisation: Organisation) -> dict[int, str]:
    """Every active peer's display name, by peer id."""
    rows = await session.execute(
        select(Peer.id, ChatIdentity.display_name, ChatIdentity.user_id)
        .join(ChatIdentity, ChatIdentity.id == Peer.identity_id)
        .where(Peer.organisation_id == organisation.id, Peer.active.is_(True))
        .order_by(Peer.id)
    )
    return {peer_id: name or user_id for peer_id, name, user_id in rows}
