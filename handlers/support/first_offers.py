"""A new request's first offers, made by a due job rather than in the web process's
transaction: storing a request stays a few statements however many peers are on call, and
the offers go out as soon as the worker (woken by the commit) routes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.support.escalation import nobody_took_it
from handlers.support.routing import offer_tier, route_from
from handlers.support.steps import schedule_timeout
from models import TIER_ORDER, Offer, Organisation, RequestStatus, SupportRequest, Tier

PROFESSIONAL_INDEX = TIER_ORDER.index(Tier.PROFESSIONAL)


async def route_new(session: AsyncSession, request_id: str, now: datetime) -> str:
    """Offer a stored request to the first tier with anyone eligible (a crisis request to the
    professionals as well), or tell the coordinators nobody is on call. Safe to run twice: a
    request already offered, or no longer open, is left as it is."""
    request = await session.get(SupportRequest, request_id, with_for_update=True)
    if request is None:
        return "not current: request erased"
    if request.status != RequestStatus.OPEN.value:
        return "not current: request no longer open"
    if await session.scalar(select(exists().where(Offer.request_id == request.id))):
        return "not current: already offered"
    organisation = await session.get(Organisation, request.organisation_id)
    assert organisation is not None
    professionals_asked = 0
    if request.crisis:
        professionals_asked = await offer_tier(
            session, organisation, request, Tier.PROFESSIONAL, now, all_at_once=True
        )
    if await route_from(session, organisation, request, 0, now):
        return "offered"
    if professionals_asked:  # only they could be asked: their timeout moves it on as any
        await schedule_timeout(session, organisation, request, PROFESSIONAL_INDEX, now)
        return "offered to the professionals only"
    await nobody_took_it(session, organisation, request, now, nobody_on_call=True)
    return "nobody on call: coordinators told"
