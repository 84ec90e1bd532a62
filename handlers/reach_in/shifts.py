"""Peers who know when they are on: a direct message before each stretch on call starts (the
organisation's `on_call_notice_minutes`, default 30), the open requests nobody has taken handed
to them when it starts, and every Monday morning a note of their shifts in the coming week.

A periodic tick looks a few hours ahead and writes one due job per coming stretch (its key
names the peer, tier and start, so every worker writes it once); the job checks again, when it
runs, that the stretch is still on the roster, so a changed rota sends no stale notice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.dates import week_start
from handlers.core.jobs import enqueue
from handlers.core.outbox import deliver
from handlers.core.people import identity_of, locale_of
from handlers.core.unit import Core
from handlers.reach_in import shift_messages
from handlers.roster.schedule import OnCallEntry, on_call_schedule, spans
from handlers.support.routing import offer_tier
from models import TIER_ORDER, DueJob, Offer, Organisation, Peer, RequestStatus, SupportRequest

SHIFT_NOTICE = "shift_notice"
SHIFT_START = "shift_start"
SHIFT_WEEK = "shift_week"
LOOKAHEAD = timedelta(hours=6)
WEEK = timedelta(days=7)
WEEKLY_NOTE_AT = time(8, 0)  # Monday, local


def _entry(payload: dict[str, Any]) -> OnCallEntry:
    return OnCallEntry(
        tier=payload["tier"],
        peer_id=payload["peer_id"],
        starts_at=datetime.fromisoformat(payload["starts_at"]),
        ends_at=datetime.fromisoformat(payload["ends_at"]),
        source="",
    )


async def _still_on(
    session: AsyncSession, organisation: Organisation, entry: OnCallEntry
) -> OnCallEntry | None:
    """The peer's stretch starting at `entry.starts_at`, if the roster still has it."""
    current = spans(
        await on_call_schedule(session, organisation, entry.starts_at, entry.starts_at + WEEK)
    )
    return next(
        (
            item
            for item in current
            if (item.peer_id, item.tier, item.starts_at)
            == (entry.peer_id, entry.tier, entry.starts_at)
        ),
        None,
    )


class ShiftNotices:
    def __init__(self, core: Core) -> None:
        self.core = core

    def job_handlers(self) -> dict[str, Callable[[DueJob], Awaitable[dict[str, Any] | None]]]:
        return {
            SHIFT_NOTICE: self._notice,
            SHIFT_START: self._start,
            SHIFT_WEEK: self._week,
        }

    async def schedule_due(self) -> int:
        """The periodic tick: a notice and a start job for every stretch starting within the
        next few hours, and the weekly notes once Monday morning has come."""
        now = self.core.clock()
        written = 0
        async with self.core.database.session() as session:
            organisations = list(await session.scalars(select(Organisation)))
        for organisation in organisations:
            async with self.core.changing() as session:
                written += await self._schedule(session, organisation, now)
        return written

    async def _schedule(
        self, session: AsyncSession, organisation: Organisation, now: datetime
    ) -> int:
        notice = timedelta(minutes=organisation.on_call_notice_minutes)
        coming = spans(await on_call_schedule(session, organisation, now, now + notice + LOOKAHEAD))
        written = 0
        for entry in coming:
            if entry.starts_at <= now:
                continue  # under way already
            payload = {
                "peer_id": entry.peer_id,
                "tier": entry.tier,
                "starts_at": entry.starts_at.isoformat(),
                "ends_at": entry.ends_at.isoformat(),
            }
            name = f"{entry.peer_id}:{entry.tier}:{entry.starts_at.isoformat()}"
            for kind, run_at in (
                (SHIFT_NOTICE, max(now, entry.starts_at - notice)),
                (SHIFT_START, entry.starts_at),
            ):
                key = f"{kind}:{name}"
                if await session.scalar(select(DueJob.id).where(DueJob.idempotency_key == key)):
                    continue
                await enqueue(session, kind=kind, key=key, run_at=run_at,
                              organisation_id=organisation.id, payload=payload)  # fmt: skip
                written += 1
        zone = ZoneInfo(organisation.time_zone)
        monday = week_start(now, zone)
        note_at = datetime.combine(monday, WEEKLY_NOTE_AT, tzinfo=zone)
        if (
            note_at <= now < note_at + timedelta(days=1)
        ):  # on Monday; a missed week is not sent late
            key = f"{SHIFT_WEEK}:{organisation.id}:{monday.isoformat()}"
            if not await session.scalar(select(DueJob.id).where(DueJob.idempotency_key == key)):
                await enqueue(session, kind=SHIFT_WEEK, key=key, run_at=now,
                              organisation_id=organisation.id,
                              payload={"organisation_id": organisation.id})  # fmt: skip
                written += 1
        return written

    async def _notice(self, job: DueJob) -> dict[str, Any]:
        now = self.core.clock()
        async with self.core.changing() as session:
            organisation = await session.get(Organisation, job.organisation_id)
            peer = await session.get(Peer, job.payload["peer_id"])
            if organisation is None or peer is None or not peer.active:
                return {"skipped": "not on the roster"}
            entry = await _still_on(session, organisation, _entry(job.payload))
            if entry is None:
                return {"skipped": "the rota changed"}
            identity = await identity_of(session, peer)
            message = shift_messages.starting_soon(
                locale_of(identity, organisation), entry, organisation.time_zone
            )
            await deliver(session, to=identity, message=message, key=job.idempotency_key, now=now)
        return {"told": True}

    async def _start(self, job: DueJob) -> dict[str, Any]:
        """The stretch starts: every open request that has reached this tier is offered to
        whoever is now on call in it (the offers already made stay), and the peer is told how
        many were handed to them."""
        now = self.core.clock()
        async with self.core.changing() as session:
            organisation = await session.get(Organisation, job.organisation_id)
            peer = await session.get(Peer, job.payload["peer_id"])
            if organisation is None or peer is None or not peer.active:
                return {"skipped": "not on the roster"}
            tier = _entry(job.payload).tier
            tier_index = [t.value for t in TIER_ORDER].index(tier)
            open_requests = await session.scalars(
                select(SupportRequest).where(
                    SupportRequest.organisation_id == organisation.id,
                    SupportRequest.status == RequestStatus.OPEN.value,
                    SupportRequest.tier_index >= tier_index,
                )
            )
            for request in list(open_requests):
                await offer_tier(session, organisation, request, TIER_ORDER[tier_index], now,
                                 all_at_once=True)  # fmt: skip
            handed = int(
                await session.scalar(
                    select(func.count())
                    .select_from(Offer)
                    .where(Offer.peer_id == peer.id, Offer.created_at == now)
                )
                or 0
            )
            if handed:
                identity = await identity_of(session, peer)
                await deliver(
                    session,
                    to=identity,
                    message=shift_messages.handed_over(locale_of(identity, organisation), handed),
                    key=job.idempotency_key,
                    now=now,
                )
        return {"handed": handed}

    async def _week(self, job: DueJob) -> dict[str, Any]:
        """Each active peer with time on call in the coming week gets its list."""
        now = self.core.clock()
        told = 0
        async with self.core.changing() as session:
            organisation = await session.get(Organisation, job.payload["organisation_id"])
            if organisation is None:
                return {"skipped": "organisation gone"}
            coming = spans(await on_call_schedule(session, organisation, now, now + WEEK))
            for peer_id in dict.fromkeys(entry.peer_id for entry in coming):
                peer = await session.get(Peer, peer_id)
                if peer is None or not peer.active:
                    continue
                identity = await identity_of(session, peer)
                mine = [entry for entry in coming if entry.peer_id == peer_id]
                message = shift_messages.coming_week(
                    locale_of(identity, organisation), mine, organisation.time_zone
                )
                await deliver(session, to=identity, message=message,
                              key=f"{job.idempotency_key}:{peer_id}", now=now)  # fmt: skip
                told += 1
        return {"told": told}
