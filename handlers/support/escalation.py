"""Escalation: a tier's wait ended with nobody accepting, so the next tier is asked; once every
tier has been asked, the coordinators and the requester are told, and told again while it lasts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.audit import SYSTEM, audit
from handlers.core.i18n import t
from handlers.core.jobs import enqueue
from handlers.core.people import locale_of
from handlers.support.informing import alert_coordinators, tell_requester, update_acknowledgement
from handlers.support.routing import route_from
from handlers.support.steps import CHASE, chase_key, timeout_for
from models import (
    TIER_ORDER,
    ChatIdentity,
    Organisation,
    RequestStatus,
    SupportRequest,
)

CHASE_ROUNDS_AT_FIRST_PACE = 3  # one timeout apart; then twice as far apart each time
CHASE_LONGEST_WAIT = timedelta(hours=24)


async def escalate(session: AsyncSession, request_id: str, tier_index: int, now: datetime) -> str:
    """The escalation job: the tier's timeout passed. Returns what it did (for the job result).

    The requester hears of every step, in plain words, so they are never left in silence for
    longer than one timeout; once every tier has been asked, `chase` keeps them (and the
    coordinators) informed."""
    request = await session.get(SupportRequest, request_id, with_for_update=True)
    if request is None or request.status != RequestStatus.OPEN.value:
        return "not current: request no longer open"
    if request.tier_index != tier_index:
        return "not current: already moved on"
    organisation = await session.get(Organisation, request.organisation_id)
    assert organisation is not None
    request.escalations += 1
    audit(
        session,
        request,
        actor=SYSTEM,
        action="escalated",
        detail=TIER_ORDER[tier_index].value,
        at=now,
    )
    step = f".{tier_index}"
    if await route_from(session, organisation, request, tier_index + 1, now):
        await tell_requester(session, organisation, request, "requester.more_asked", now, step)
        await _acknowledge_step(session, organisation, request, "ack.status.more_asked", now, step)
        return f"escalated to {TIER_ORDER[request.tier_index].value}"
    await nobody_took_it(session, organisation, request, now)
    return "every tier asked; coordinators alerted"


async def nobody_took_it(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    now: datetime,
    *,
    nobody_on_call: bool = False,
) -> None:
    """Every tier has been asked (or, `nobody_on_call`, nobody could be): coordinators are
    alerted, the requester told, and both hear again each timeout while it lasts (`chase`)."""
    what = "nobody_on_call" if nobody_on_call else "still_looking"
    coordinator_key = "coordinator.nobody_on_call" if nobody_on_call else "coordinator.unanswered"
    await alert_coordinators(session, organisation, request, coordinator_key, now)
    await tell_requester(session, organisation, request, f"requester.{what}", now)
    await _acknowledge_step(session, organisation, request, f"ack.status.{what}", now, "")
    await _schedule_chase(session, organisation, request, 1, now)


async def _acknowledge_step(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    status_key: str,
    now: datetime,
    step: str,
) -> None:
    requester = (
        await session.get(ChatIdentity, request.requester_id) if request.requester_id else None
    )
    if requester is None:
        return
    status = t(locale_of(requester, organisation), status_key)
    await update_acknowledgement(
        session, organisation, request, status, now, step=f"{status_key}{step}"
    )


async def _schedule_chase(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    round_number: int,
    now: datetime,
) -> None:
    timeout = timeout_for(organisation, request.urgency)
    wait = timeout * 2 ** max(0, round_number - CHASE_ROUNDS_AT_FIRST_PACE)
    longest = max(CHASE_LONGEST_WAIT, timeout)
    await enqueue(
        session,
        kind=CHASE,
        key=chase_key(request, round_number),
        run_at=now + min(wait, longest),
        organisation_id=organisation.id,
        payload={"request_id": request.id, "round": round_number},
    )


async def chase(session: AsyncSession, request_id: str, round_number: int, now: datetime) -> str:
    """Nobody has accepted yet after every tier was asked: tell the coordinators and the
    requester again, one timeout apart at first, then further apart (at most a day), until
    someone accepts or the request ends."""
    request = await session.get(SupportRequest, request_id, with_for_update=True)
    if request is None or request.status != RequestStatus.OPEN.value:
        return "not current: request no longer open"
    organisation = await session.get(Organisation, request.organisation_id)
    assert organisation is not None
    step = f".{round_number}"
    await alert_coordinators(
        session, organisation, request, "coordinator.still_unanswered", now, step
    )
    await tell_requester(session, organisation, request, "requester.still_looking", now, step)
    await _schedule_chase(session, organisation, request, round_number + 1, now)
    return f"chased ({round_number})"
