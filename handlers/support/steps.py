"""The timed steps of a request: when each tier's wait ends, the keys of the jobs that move it
on, and bringing those forward or calling them off.

Every step that must happen later is a due job written in the same transaction as the change
that causes it; a job that is no longer current (the request was accepted, the tier moved on)
does nothing when it runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.jobs import enqueue
from models import (
    TIER_ORDER,
    DueJob,
    JobStatus,
    Offer,
    Organisation,
    SupportRequest,
)

ROUTE = "route"  # a new request's first offers (first_offers.route_new)
ESCALATE = "escalate"
ADVANCE = "advance"
CHASE = "chase"  # every tier asked and nobody accepted: coordinators and requester told again
# The routing job is due a moment before the acknowledgement it is stored with: the engine takes
# due jobs oldest first, so the offers are on their way as early as can be.
ROUTE_FIRST = timedelta(milliseconds=2)


def timeout_for(organisation: Organisation, urgency: str) -> timedelta:
    minutes = {
        "now": organisation.timeout_now_minutes,
        "today": organisation.timeout_today_minutes,
        "week": organisation.timeout_week_minutes,
    }[urgency]
    return timedelta(minutes=minutes)


async def schedule_routing(
    session: AsyncSession, organisation: Organisation, request: SupportRequest, now: datetime
) -> None:
    """Route the request as soon as the worker can: due now, ahead of the acknowledgement."""
    await enqueue(
        session,
        kind=ROUTE,
        key=f"{ROUTE}:{request.id}",
        run_at=now - ROUTE_FIRST,
        organisation_id=organisation.id,
        payload={"request_id": request.id},
    )


def escalation_key(request: SupportRequest, tier_index: int) -> str:
    return f"escalate:{request.id}:{tier_index}"


def chase_key(request: SupportRequest, round_number: int) -> str:
    return f"{CHASE}:{request.id}:{round_number}"


async def schedule_timeout(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    index: int,
    now: datetime,
) -> None:
    """The request is with tier `index` now; if nobody there accepts in time, it moves on."""
    request.tier_index = index
    await enqueue(
        session,
        kind=ESCALATE,
        key=escalation_key(request, index),
        run_at=now + timeout_for(organisation, request.urgency),
        organisation_id=organisation.id,
        payload={"request_id": request.id, "tier_index": index},
    )


async def escalate_now(session: AsyncSession, request: SupportRequest, now: datetime) -> None:
    """Bring the current tier's timeout forward: nobody is left to answer at this tier."""
    job = await session.scalar(
        select(DueJob).where(DueJob.idempotency_key == escalation_key(request, request.tier_index))
    )
    if job is not None and job.status == JobStatus.PENDING.value:
        job.run_at = now


async def pending_steps(session: AsyncSession, request: SupportRequest) -> list[DueJob]:
    """The jobs still to run that would move `request` on: a tier's timeout, a one-at-a-time
    turn, telling everyone again."""
    offer_ids = await session.scalars(select(Offer.id).where(Offer.request_id == request.id))
    keys = [escalation_key(request, index) for index in range(len(TIER_ORDER))]
    keys += [f"advance:{offer_id}" for offer_id in offer_ids]
    result = await session.scalars(
        select(DueJob).where(
            or_(
                DueJob.idempotency_key.in_(keys),
                DueJob.idempotency_key.startswith(f"{CHASE}:{request.id}:"),
            ),
            DueJob.status == JobStatus.PENDING.value,
        )
    )
    return list(result)


async def cancel_routing(session: AsyncSession, request: SupportRequest) -> None:
    """Someone has the request, or it ended: nothing is to move it on any more."""
    for step in await pending_steps(session, request):
        step.status = JobStatus.CANCELLED.value


async def bring_forward(
    session: AsyncSession, organisation: Organisation, request: SupportRequest, now: datetime
) -> None:
    """The request became more urgent: its next step (a tier's timeout, or telling everyone
    again) comes within the "now" timeout at the latest."""
    sooner = now + timeout_for(organisation, request.urgency)
    for step in await pending_steps(session, request):
        if step.kind in (ESCALATE, CHASE):
            step.run_at = min(step.run_at, sooner)
