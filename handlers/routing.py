"""Routing a request: offers tier by tier, one at a time or all at once, and escalation.

Every step that must happen later is a due job written in the same transaction as the change
that causes it; a job that is no longer current (the request was accepted, the tier moved on)
does nothing when it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.audit import SYSTEM, audit, peer_actor
from handlers.core.crisis_lines import crisis_resources
from handlers.core.i18n import t
from handlers.core.jobs import enqueue
from handlers.core.outbox import deliver
from handlers.core.people import identity_of, locale_of
from handlers.core.ports import Button, Message, restated
from handlers.roster.on_call import eligible_peers
from handlers.support import messages
from models import (
    TIER_ORDER,
    ChatIdentity,
    DueJob,
    JobStatus,
    Offer,
    OfferStatus,
    Organisation,
    Peer,
    RequestStatus,
    SupportRequest,
    Tier,
)

log = logging.getLogger(__name__)

ESCALATE = "escalate"
ADVANCE = "advance"
CHASE = "chase"  # every tier asked and nobody accepted: coordinators and requester told again
CHASE_ROUNDS_AT_FIRST_PACE = 3  # one timeout apart; then twice as far apart each time
CHASE_LONGEST_WAIT = timedelta(hours=24)
SEQUENTIAL = "sequential"
MIN_OFFER_STEP = timedelta(minutes=2)


def timeout_for(organisation: Organisation, urgency: str) -> timedelta:
    minutes = {
        "now": organisation.timeout_now_minutes,
        "today": organisation.timeout_today_minutes,
        "week": organisation.timeout_week_minutes,
    }[urgency]
    return timedelta(minutes=minutes)


def escalation_key(request: SupportRequest, tier_index: int) -> str:
    return f"escalate:{request.id}:{tier_index}"


def chase_key(request: SupportRequest, round_number: int) -> str:
    return f"{CHASE}:{request.id}:{round_number}"


def alert_key(request: SupportRequest, what: str) -> str:
    """Alerts about a request are keyed under it, so they can be found and updated in place."""
    return f"alert:{request.id}:{what}"


async def coordinators(session: AsyncSession, organisation: Organisation) -> list[Peer]:
    """Everyone on the roster as coordinator, on call or not: alerts go to all of them."""
    result = await session.scalars(
        select(Peer)
        .where(
            Peer.organisation_id == organisation.id,
            Peer.tier == Tier.COORDINATOR.value,
            Peer.active.is_(True),
        )
        .order_by(Peer.id)
    )
    return list(result)


async def tell_coordinators(
    session: AsyncSession,
    organisation: Organisation,
    message_for: Callable[[str], Message],
    key: str,
    now: datetime,
    *,
    not_to: int | None = None,
) -> list[Peer]:
    """Each active coordinator (but the identity `not_to`) gets `message_for(their locale)`,
    keyed `key:<their peer id>` so it goes once however often this runs; returns who was
    told."""
    people = [
        peer for peer in await coordinators(session, organisation) if peer.identity_id != not_to
    ]
    for peer in people:
        identity = await identity_of(session, peer)
        message = message_for(locale_of(identity, organisation))
        await deliver(session, to=identity, message=message, key=f"{key}:{peer.id}", now=now)
    return people


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
) -> None:
    """A message to the requester about their request, with the organisation's crisis lines
    (it points to them, so it carries them)."""
    if request.requester_id is None:
        return
    requester = await session.get(ChatIdentity, request.requester_id)
    assert requester is not None
    message = messages.to_requester(
        locale_of(requester, organisation), key, crisis_resources(organisation)
    )
    await deliver(session, to=requester, message=message, key=f"{key}{step}:{request.id}", now=now)


async def show_offer(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    offer: Offer,
    now: datetime,
) -> None:
    peer = await session.get(Peer, offer.peer_id)
    assert peer is not None
    identity = await identity_of(session, peer)
    message = messages.offer(locale_of(identity, organisation), request, offer.tier, offer.id)
    job = await deliver(session, to=identity, message=message, key=f"offer:{offer.id}", now=now)
    offer.status = OfferStatus.OPEN.value
    offer.delivery_job_id = job.id
    audit(session, request, actor=peer_actor(peer), action="offer_shown", detail=offer.tier, at=now)


async def _already_offered(session: AsyncSession, request: SupportRequest) -> set[int]:
    return set(await session.scalars(select(Offer.peer_id).where(Offer.request_id == request.id)))


async def offer_tier(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    tier: Tier,
    now: datetime,
    *,
    all_at_once: bool,
) -> int:
    """Make offers to the tier's eligible peers; returns how many peers will be asked."""
    offered = await _already_offered(session, request)
    candidates = [
        peer
        for peer in await eligible_peers(session, organisation, request, tier, now)
        if peer.id not in offered
    ]
    if not candidates:
        return 0
    offers = [
        Offer(
            request_id=request.id,
            peer_id=peer.id,
            tier=tier.value,
            position=position,
            status=OfferStatus.PENDING.value,
            created_at=now,  # the routing clock, as the fairness window reads it
        )
        for position, peer in enumerate(candidates)
    ]
    session.add_all(offers)
    await session.flush()
    if all_at_once:
        for offer in offers:
            await show_offer(session, organisation, request, offer, now)
    else:
        step = max(MIN_OFFER_STEP, timeout_for(organisation, request.urgency) / len(offers))
        await show_next_in_turn(session, organisation, request, now, step)
    return len(candidates)


async def show_next_in_turn(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    now: datetime,
    step: timedelta | None = None,
) -> bool:
    """One-at-a-time mode: show the next pending offer; False when nobody is left to ask."""
    pending = await session.scalars(
        select(Offer)
        .where(Offer.request_id == request.id, Offer.status == OfferStatus.PENDING.value)
        .order_by(Offer.position, Offer.id)
    )
    remaining = list(pending)
    if not remaining:
        return False
    offer = remaining[0]
    if step is None:
        step = max(MIN_OFFER_STEP, timeout_for(organisation, request.urgency) / len(remaining))
    await show_offer(session, organisation, request, offer, now)
    await enqueue(
        session,
        kind=ADVANCE,
        key=f"advance:{offer.id}",
        run_at=now + step,
        organisation_id=organisation.id,
        payload={"offer_id": offer.id},
    )
    return True


async def route_from(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    start_index: int,
    now: datetime,
) -> bool:
    """Offer to the first tier from `start_index` with anyone eligible and schedule its timeout.

    Returns False when no tier from there on has anyone to ask.
    """
    all_at_once = organisation.offer_mode != SEQUENTIAL
    for index in range(start_index, len(TIER_ORDER)):
        tier = TIER_ORDER[index]
        if request.crisis and tier is Tier.PROFESSIONAL and index != start_index:
            break  # the professional tier already has it (crisis path)
        asked = await offer_tier(session, organisation, request, tier, now, all_at_once=all_at_once)
        if asked:
            await schedule_timeout(session, organisation, request, index, now)
            return True
    request.tier_index = len(TIER_ORDER) - 1
    return False


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


async def bring_forward(
    session: AsyncSession, organisation: Organisation, request: SupportRequest, now: datetime
) -> None:
    """The request became more urgent: its next step (a tier's timeout, or telling everyone
    again) comes within the "now" timeout at the latest."""
    sooner = now + timeout_for(organisation, request.urgency)
    for step in await pending_steps(session, request):
        if step.kind in (ESCALATE, CHASE):
            step.run_at = min(step.run_at, sooner)


async def open_offers(session: AsyncSession, request: SupportRequest) -> list[Offer]:
    result = await session.scalars(
        select(Offer)
        .where(Offer.request_id == request.id, Offer.status == OfferStatus.OPEN.value)
        .order_by(Offer.id)
    )
    return list(result)


async def escalate_now(session: AsyncSession, request: SupportRequest, now: datetime) -> None:
    """Bring the current tier's timeout forward: nobody is left to answer at this tier."""
    job = await session.scalar(
        select(DueJob).where(DueJob.idempotency_key == escalation_key(request, request.tier_index))
    )
    if job is not None and job.status == JobStatus.PENDING.value:
        job.run_at = now


async def move_on(
    session: AsyncSession, organisation: Organisation, request: SupportRequest, now: datetime
) -> None:
    """After a decline or an expired turn: ask the next peer, or escalate if nobody is left."""
    if organisation.offer_mode == SEQUENTIAL and await show_next_in_turn(
        session, organisation, request, now
    ):
        return
    if not await open_offers(session, request):
        await escalate_now(session, request, now)


async def withdraw_offers(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    reason: str,
    now: datetime,
    *,
    keep: Offer | None = None,
) -> None:
    """Close every open or pending offer; shown ones are updated in place to say why."""
    result = await session.scalars(
        select(Offer).where(
            Offer.request_id == request.id,
            Offer.status.in_([OfferStatus.OPEN.value, OfferStatus.PENDING.value]),
        )
    )
    for offer in result:
        if keep is not None and offer.id == keep.id:
            continue
        was_shown = offer.status == OfferStatus.OPEN.value
        offer.status = OfferStatus.TAKEN.value if reason == "taken" else OfferStatus.WITHDRAWN.value
        offer.responded_at = now
        if was_shown and offer.delivery_job_id is not None:
            await update_offer_card(session, organisation, request, offer, reason, now)


async def update_offer_card(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    offer: Offer,
    reason: str,
    now: datetime,
) -> None:
    peer = await session.get(Peer, offer.peer_id)
    assert peer is not None
    identity = await identity_of(session, peer)
    message = messages.offer_closed(locale_of(identity, organisation), request, reason)
    await deliver(
        session,
        to=identity,
        message=message,
        key=f"offer:{offer.id}:{reason}",
        now=now,
        update_of=offer.delivery_job_id,
    )


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


async def advance(session: AsyncSession, offer_id: int, now: datetime) -> str:
    """One-at-a-time mode: a peer's turn passed without an answer; ask the next one."""
    offer = await session.get(Offer, offer_id)
    if offer is None or offer.status != OfferStatus.OPEN.value:
        return "not current: offer answered"
    request = await session.get(SupportRequest, offer.request_id, with_for_update=True)
    assert request is not None
    if request.status != RequestStatus.OPEN.value:
        return "not current: request no longer open"
    organisation = await session.get(Organisation, request.organisation_id)
    assert organisation is not None
    offer.status = OfferStatus.WITHDRAWN.value
    offer.responded_at = now
    await update_offer_card(session, organisation, request, offer, "moved_on", now)
    await move_on(session, organisation, request, now)
    return "moved on to the next peer"
