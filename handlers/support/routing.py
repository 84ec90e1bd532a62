"""Offers for a request, tier by tier: to everyone eligible at once, or one at a time, and
their cards updated in place once they no longer apply."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.audit import audit, audit_many, peer_actor
from handlers.core.jobs import enqueue
from handlers.core.outbox import deliver, deliver_many
from handlers.core.people import identity_of, locale_of
from handlers.roster.on_call import eligible_peers
from handlers.support import messages
from handlers.support.steps import ADVANCE, escalate_now, schedule_timeout, timeout_for
from models import (
    TIER_ORDER,
    ChatIdentity,
    Offer,
    OfferStatus,
    Organisation,
    Peer,
    RequestStatus,
    SupportRequest,
    Tier,
)

SEQUENTIAL = "sequential"
MIN_OFFER_STEP = timedelta(minutes=2)
# Offers are queued a moment before whatever else their transaction queues (the requester's
# confirmation, a coordinator's alert): the engine takes due jobs oldest first, so the people
# who can help hear of it first. The requester has had their answer, with the crisis lines.
OFFERS_FIRST = timedelta(milliseconds=1)


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
    job = await deliver(
        session, to=identity, message=message, key=f"offer:{offer.id}", now=now - OFFERS_FIRST
    )
    offer.status = OfferStatus.OPEN.value
    offer.delivery_job_id = job.id
    audit(session, request, actor=peer_actor(peer), action="offer_shown", detail=offer.tier, at=now)


async def show_offers(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    tier: Tier,
    peers: list[Peer],
    now: datetime,
) -> None:
    """Offer the request to all of `peers` at once, in a few statements whatever their number
    (1,000 peers on call): the offers in one insert, the peers' identities in one read, the
    message dumped once per language, the delivery jobs in one insert, then the offers pointed
    at their jobs and the audit lines in one statement each."""
    offer_ids = list(
        await session.scalars(
            insert(Offer).returning(Offer.id, sort_by_parameter_order=True),
            [
                {
                    "request_id": request.id,
                    "peer_id": peer.id,
                    "tier": tier.value,
                    "position": position,
                    "status": OfferStatus.OPEN.value,
                    "created_at": now,  # the routing clock, as the fairness window reads it
                }
                for position, peer in enumerate(peers)
            ],
        )
    )
    identities = {
        identity.id: identity
        for identity in await session.scalars(
            select(ChatIdentity).where(ChatIdentity.id.in_([peer.identity_id for peer in peers]))
        )
    }
    templates: dict[str, dict[str, Any]] = {}
    outgoing: list[tuple[ChatIdentity, dict[str, Any], str]] = []
    for offer_id, peer in zip(offer_ids, peers, strict=True):
        identity = identities[peer.identity_id]
        locale = locale_of(identity, organisation)
        if locale not in templates:
            template = messages.offer(locale, request, tier.value, 0)
            templates[locale] = template.model_dump(mode="json")
        message = messages.offer_for(templates[locale], offer_id)
        outgoing.append((identity, message, f"offer:{offer_id}"))
    job_ids = await deliver_many(session, outgoing, now - OFFERS_FIRST)
    await session.execute(
        update(Offer),
        [
            {"id": offer_id, "delivery_job_id": job_id}
            for offer_id, job_id in zip(offer_ids, job_ids, strict=True)
        ],
    )
    actors = [peer_actor(peer) for peer in peers]
    await audit_many(session, request, actors, action="offer_shown", detail=tier.value, at=now)


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
    if all_at_once:
        await show_offers(session, organisation, request, tier, candidates, now)
        return len(candidates)
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


async def open_offers(session: AsyncSession, request: SupportRequest) -> list[Offer]:
    result = await session.scalars(
        select(Offer)
        .where(Offer.request_id == request.id, Offer.status == OfferStatus.OPEN.value)
        .order_by(Offer.id)
    )
    return list(result)


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
