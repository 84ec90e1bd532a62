"""Keeping people informed about a request: coordinator alerts (and their updates in place once
someone has it), the requester's acknowledgement updated in place, and notices to the requester."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.audit import audit, peer_actor
from handlers.core.crisis_lines import crisis_resources
from handlers.core.i18n import t
from handlers.core.outbox import deliver
from handlers.core.people import locale_of
from handlers.core.ports import Button, Message, restated
from handlers.roster.notify import tell_coordinators
from handlers.support import messages
from models import (
    ChatIdentity,
    DueJob,
    Offer,
    OfferStatus,
    Organisation,
    RequestStatus,
    SupportRequest,
)

log = logging.getLogger(__name__)


def alert_key(request: SupportRequest, what: str) -> str:
    """Alerts about a request are keyed under it, so they can be found and updated in place."""
    return f"alert:{request.id}:{what}"


async def alert_coordinators(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    key: str,
    now: datetime,
    step: str = "",
) -> None:
    """Every active coordinator hears of `request` (with "I will make contact"); `step` makes a
    repeated alert about the same thing a new one."""
    can_take = request.status == RequestStatus.OPEN.value
    people = await tell_coordinators(
        session,
        organisation,
        lambda locale: messages.coordinator_alert(locale, key, request, can_take=can_take),
        alert_key(request, f"{key}{step}"),
        now,
        not_to=request.requester_id,  # a coordinator who asked for help is not alerted of it
    )
    if not people:
        log.warning("organisation %s has no coordinator to alert (%s)", organisation.id, key)
    for peer in people:  # each coordinator who sees the request is an access of its own
        audit(
            session,
            request,
            actor=peer_actor(peer),
            action="coordinator_alerted",
            detail=key,
            at=now,
        )


async def alert_jobs(session: AsyncSession, request: SupportRequest) -> list[DueJob]:
    """The alerts sent about `request` (not their updates), oldest first."""
    prefix = f"deliver:{alert_key(request, '')}"
    jobs = await session.scalars(
        select(DueJob).where(DueJob.idempotency_key.startswith(prefix)).order_by(DueJob.id)
    )
    return [job for job in jobs if job.payload.get("update_of") is None]


async def retire_alerts(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    status_key: str,
    now: datetime,
) -> None:
    """Alerts about `request` (to coordinators and the professional tier) are updated in place:
    their text stays, their buttons go, and their status says what happened. The alert a
    coordinator took the case from is their case card now, and is left to it."""
    case_card = await session.scalar(
        select(Offer.delivery_job_id).where(
            Offer.request_id == request.id, Offer.status == OfferStatus.ACCEPTED.value
        )
    )
    for job in await alert_jobs(session, request):
        if job.id == case_card:
            continue
        recipient = await session.get(ChatIdentity, job.payload["to"])
        if recipient is None:
            continue
        original = Message.model_validate(job.payload["message"])
        status = t(locale_of(recipient, organisation), status_key)
        await deliver(
            session,
            to=recipient,
            message=restated(original, status),
            key=f"{job.idempotency_key.removeprefix('deliver:')}:{status_key}",
            now=now,
            update_of=job,
        )


async def update_acknowledgement(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    status: str | None,
    now: datetime,
    *,
    step: str,
    buttons: list[Button] | None = None,
) -> None:
    """The requester's acknowledgement, updated in place: its text and crisis lines stay, its
    status line (and buttons, if given; else it keeps Withdraw) change."""
    job = await session.scalar(
        select(DueJob).where(DueJob.idempotency_key == f"deliver:ack:{request.id}")
    )
    if job is None or request.requester_id is None:
        return
    requester = await session.get(ChatIdentity, request.requester_id)
    if requester is None:
        return
    original = Message.model_validate(job.payload["message"])
    kept = original.buttons if buttons is None else buttons
    await deliver(
        session,
        to=requester,
        message=restated(original, status, kept),
        key=f"ack:{request.id}:{step}",
        now=now,
        update_of=job,
    )


async def tell_requester(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    key: str,
    now: datetime,
    step: str = "",
    **params: object,
) -> None:
    """A message to the requester about their request, with the organisation's crisis lines
    (it points to them, so it carries them)."""
    if request.requester_id is None:
        return
    requester = await session.get(ChatIdentity, request.requester_id)
    assert requester is not None
    message = messages.to_requester(
        locale_of(requester, organisation), key, crisis_resources(organisation), **params
    )
    await deliver(session, to=requester, message=message, key=f"{key}{step}:{request.id}", now=now)
