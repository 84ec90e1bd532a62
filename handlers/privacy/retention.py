"""Retention: personal data goes after the organisation's retention period, de-identified
counts stay.

A closed or withdrawn request loses every link to its requester (identity, unit, note, number);
a reach-in event loses its units, note and whom it reached, with its invitations and group
sessions (its day, category and counts stay); queued messages that are finished are deleted
(they may quote people); identities that nothing needs any more are deleted. Erasure on
request is `privacy.erasure`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.jobs import enqueue
from handlers.core.outbox import DELIVER
from handlers.core.unit import Core
from handlers.support.ending import FOLLOW_UP
from models import (
    ChatIdentity,
    DueJob,
    GroupSession,
    JobStatus,
    Organisation,
    Peer,
    ProcessedEvent,
    ReachInEvent,
    ReachInInvite,
    RequestStatus,
    SeenSignature,
    SupportRequest,
    utcnow,
)
from models.slack_install import SLACK_OAUTH_STATES

PURGE = "retention_purge"
FINISHED = (JobStatus.DONE.value, JobStatus.FAILED.value, JobStatus.CANCELLED.value)
EXPIRED = "retention"  # closed_by of a request the purge ended (never closed in time)
EVENT_IDS_KEPT = timedelta(days=2)  # Slack retries within minutes; two days is ample
SIGNATURES_KEPT = timedelta(minutes=10)  # Slack refuses a signature older than five minutes


class Retention:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.database = core.database

    def job_handlers(self) -> dict[str, Callable[[DueJob], Awaitable[dict[str, Any] | None]]]:
        return {PURGE: self._purge_job}

    async def schedule_daily_purge(self) -> None:
        """The cron tick: one purge job per day, whichever worker asks first (unique key)."""
        now = self.core.clock()
        async with self.database.session() as session, session.begin():
            await enqueue(
                session,
                kind=PURGE,
                key=f"{PURGE}:{now.date().isoformat()}",
                run_at=now,
                payload={},
            )
        self.core.after_commit()

    async def _purge_job(self, job: DueJob) -> dict[str, Any]:
        return {"purged_requests": await self.purge()}

    async def purge(self) -> int:
        """Remove personal data past each organisation's retention period.

        Returns how many requests were purged.
        """
        now = self.core.clock()
        purged = 0
        async with self.database.session() as session, session.begin():
            for organisation in list(await session.scalars(select(Organisation))):
                cutoff = now - timedelta(days=organisation.retention_days)
                result = await session.execute(
                    update(SupportRequest)
                    .where(
                        SupportRequest.organisation_id == organisation.id,
                        SupportRequest.status.in_(
                            [RequestStatus.CLOSED.value, RequestStatus.WITHDRAWN.value]
                        ),
                        SupportRequest.closed_at < cutoff,
                        SupportRequest.purged_at.is_(None),
                    )
                    .values(
                        requester_id=None,
                        requester_unit=None,
                        note=None,
                        contact_number=None,
                        purged_at=now,
                    )
                )
                purged += result.rowcount
                # A request never closed (nobody answered, or the case was left open) is ended
                # and purged once it is older than the retention period.
                result = await session.execute(
                    update(SupportRequest)
                    .where(
                        SupportRequest.organisation_id == organisation.id,
                        SupportRequest.status.in_(
                            [RequestStatus.OPEN.value, RequestStatus.ACCEPTED.value]
                        ),
                        SupportRequest.created_at < cutoff,
                    )
                    .values(
                        status=RequestStatus.CLOSED.value,
                        closed_at=now,
                        closed_by=EXPIRED,
                        requester_id=None,
                        requester_unit=None,
                        note=None,
                        contact_number=None,
                        purged_at=now,
                    )
                )
                purged += result.rowcount
                await _purge_reach_ins(session, organisation.id, cutoff)
                await session.execute(
                    delete(DueJob).where(
                        DueJob.organisation_id == organisation.id,
                        DueJob.status.in_(FINISHED),
                        # a cancelled job never ran: its last date is when it was due
                        func.coalesce(DueJob.finished_at, DueJob.run_at) < cutoff,
                    )
                )
            # Identities nothing needs any more; the conditions are checked again by the DELETE
            # itself, so someone who asked or joined a moment ago is kept.
            gone = set(
                await session.scalars(
                    delete(ChatIdentity)
                    .where(
                        ChatIdentity.pulse_opt_in.is_(False),
                        ~exists().where(Peer.identity_id == ChatIdentity.id),
                        ~exists().where(SupportRequest.requester_id == ChatIdentity.id),
                    )
                    .returning(ChatIdentity.id)
                )
            )
            if gone:
                # Work still queued for them goes too: SQLite may give their id to someone new.
                queued = await session.scalars(
                    select(DueJob).where(
                        DueJob.kind.in_([DELIVER, FOLLOW_UP]),
                        DueJob.status == JobStatus.PENDING.value,
                    )
                )
                for job in queued:
                    if job.payload.get("to") in gone:
                        await session.delete(job)
            # Platform event ids and Slack install states are stamped on the wall clock (the
            # latter by slack_sdk, in naive UTC), so they are compared with it.
            wall = utcnow()
            await session.execute(
                delete(ProcessedEvent).where(ProcessedEvent.received_at < wall - EVENT_IDS_KEPT)
            )
            await session.execute(
                delete(SeenSignature).where(SeenSignature.seen_at < wall - SIGNATURES_KEPT)
            )
            # Install states nobody came back with (slack_sdk deletes only the used ones).
            naive_now = wall.astimezone(UTC).replace(tzinfo=None)
            await session.execute(
                delete(SLACK_OAUTH_STATES).where(SLACK_OAUTH_STATES.c.expire_at < naive_now)
            )
        return purged


async def _purge_reach_ins(session: AsyncSession, organisation_id: int, cutoff: datetime) -> None:
    """Events recorded before `cutoff` keep their day, category and counts only."""
    old = select(ReachInEvent.id).where(
        ReachInEvent.organisation_id == organisation_id, ReachInEvent.recorded_at < cutoff
    )
    await session.execute(delete(ReachInInvite).where(ReachInInvite.event_id.in_(old)))
    await session.execute(delete(GroupSession).where(GroupSession.event_id.in_(old)))
    await session.execute(
        update(ReachInEvent)
        .where(ReachInEvent.id.in_(old))
        .values(units=None, note=None, recipients=None)
    )
