"""Answering an offer: accept (the first accept wins), decline, and a coordinator's "I will make
contact", which takes a case as an accept does."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import notices
from handlers.core.audit import audit, peer_actor
from handlers.core.i18n import t
from handlers.core.outbox import deliver
from handlers.core.people import (
    Person,
    address_of,
    find_identity,
    identity_of,
    locale_of,
)
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.roster.access import coordinator_peer
from handlers.roster.on_call import same_unit
from handlers.support import messages
from handlers.support.informing import (
    alert_jobs,
    retire_alerts,
    update_acknowledgement,
)
from handlers.support.routing import move_on, withdraw_offers
from handlers.support.steps import (
    cancel_routing,
)
from models import (
    ChatIdentity,
    Offer,
    OfferStatus,
    Organisation,
    Peer,
    RequestStatus,
    SupportRequest,
)


class Offers:
    """A peer (or coordinator) answers a request."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def accept(self, person: Person, offer_id: int) -> Message:
        now = self.core.clock()
        async with self.core.database.session() as session, session.begin():
            found = await self._offer_for(session, person, offer_id)
            if isinstance(found, Message):
                return found
            offer, peer, identity, request, organisation = found
            locale = locale_of(identity, organisation)
            if offer.status == OfferStatus.ACCEPTED.value:  # a double click: same answer again
                return await self._accepted_view(session, locale, request)
            if offer.status == OfferStatus.OPEN.value:
                view = await self._first_wins(session, organisation, request, offer, identity, now)
            else:
                view = self._closed_view(locale, request, offer, now)
        self.core.after_commit()
        return view

    async def take(self, person: Person, request_id: str) -> Message:
        """A coordinator's "I will make contact" on an alert: they take the case as if they had
        accepted an offer (first answer wins, audited the same way)."""
        now = self.core.clock()
        async with self.core.database.session() as session, session.begin():
            request = await session.get(SupportRequest, request_id)
            coordinator = await coordinator_peer(session, person)
            if request is None or coordinator is None:
                return self.core.unknown(person)
            identity = await identity_of(session, coordinator)
            organisation = await session.get(Organisation, request.organisation_id)
            assert organisation is not None
            locale = locale_of(identity, organisation)
            if coordinator.organisation_id != request.organisation_id:
                return notices.notice(locale, "request.not_yours")
            if request.accepted_peer_id == coordinator.id:  # a double click
                return await self._accepted_view(session, locale, request)
            if request.status != RequestStatus.OPEN.value:
                return messages.alert_answered(locale, request)
            if identity.id == request.requester_id:
                return notices.notice(locale, "alert.own_request")
            if request.exclude_own_unit and same_unit(coordinator.unit, request.requester_unit):
                return notices.notice(locale, "alert.other_unit")
            offer = await self._coordinators_offer(session, request, coordinator, identity, now)
            view = await self._first_wins(session, organisation, request, offer, identity, now)
        self.core.after_commit()
        return view

    async def _coordinators_offer(
        self,
        session: AsyncSession,
        request: SupportRequest,
        coordinator: Peer,
        identity: ChatIdentity,
        now: datetime,
    ) -> Offer:
        """The offer a coordinator takes a case by: theirs if escalation made one, else a new
        one whose message is the alert they answered (it becomes their case card)."""
        offer = await session.scalar(
            select(Offer).where(Offer.request_id == request.id, Offer.peer_id == coordinator.id)
        )
        if offer is not None:
            return offer
        answered = [
            job for job in await alert_jobs(session, request) if job.payload["to"] == identity.id
        ]
        try:
            async with session.begin_nested():
                offer = Offer(
                    request_id=request.id,
                    peer_id=coordinator.id,
                    tier=coordinator.tier,
                    position=0,
                    status=OfferStatus.OPEN.value,
                    delivery_job_id=answered[-1].id if answered else None,
                    created_at=now,
                )
                session.add(offer)
        except IntegrityError:  # the same click, a moment ago, on another process
            offer = await session.scalar(
                select(Offer).where(Offer.request_id == request.id, Offer.peer_id == coordinator.id)
            )
            assert offer is not None
        return offer

    async def _first_wins(
        self,
        session: AsyncSession,
        organisation: Organisation,
        request: SupportRequest,
        offer: Offer,
        identity: ChatIdentity,
        now: datetime,
    ) -> Message:
        """`offer`'s peer answers yes: theirs if the request is still open (one UPDATE decides
        between two clicks at the same instant), else the card saying a colleague has it."""
        locale = locale_of(identity, organisation)
        peer = await session.get(Peer, offer.peer_id)
        assert peer is not None
        won = await session.execute(
            update(SupportRequest)
            .where(
                SupportRequest.id == request.id,
                SupportRequest.status == RequestStatus.OPEN.value,
            )
            .values(
                status=RequestStatus.ACCEPTED.value,
                accepted_peer_id=peer.id,
                accepted_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        await session.refresh(request)
        if won.rowcount == 1:
            await self._connect(session, organisation, request, offer, peer, identity, now)
            return await self._accepted_view(session, locale, request)
        if request.accepted_peer_id == peer.id:  # our own click, a moment earlier
            return await self._accepted_view(session, locale, request)
        return self._closed_view(locale, request, offer, now)

    async def decline(self, person: Person, offer_id: int) -> Message:
        now = self.core.clock()
        async with self.core.database.session() as session, session.begin():
            found = await self._offer_for(session, person, offer_id)
            if isinstance(found, Message):
                return found
            offer, peer, identity, request, organisation = found
            locale = locale_of(identity, organisation)
            if offer.status != OfferStatus.OPEN.value:
                return self._closed_view(locale, request, offer, now)
            offer.status = OfferStatus.DECLINED.value
            offer.responded_at = now
            audit(session, request, actor=peer_actor(peer), action="declined", at=now)
            await session.refresh(request, with_for_update=True)
            if request.status == RequestStatus.OPEN.value:
                await move_on(session, organisation, request, now)
            view = messages.offer_closed(locale, request, "declined")
        self.core.after_commit()
        return view

    async def _offer_for(
        self, session: AsyncSession, person: Person, offer_id: int
    ) -> tuple[Offer, Peer, ChatIdentity, SupportRequest, Organisation] | Message:
        offer = await session.get(Offer, offer_id)
        identity = await find_identity(session, person)
        if offer is None or identity is None:
            return self.core.unknown(person)
        peer = await session.get(Peer, offer.peer_id)
        assert peer is not None
        request = await session.get(SupportRequest, offer.request_id)
        assert request is not None
        organisation = await session.get(Organisation, request.organisation_id)
        assert organisation is not None
        if peer.identity_id != identity.id:
            return notices.notice(locale_of(identity, organisation), "offer.not_yours")
        return offer, peer, identity, request, organisation

    async def _connect(
        self,
        session: AsyncSession,
        organisation: Organisation,
        request: SupportRequest,
        offer: Offer,
        peer: Peer,
        peer_identity: ChatIdentity,
        now: datetime,
    ) -> None:
        """The first accept won: close the other offers, introduce the two people, audit."""
        offer.status = OfferStatus.ACCEPTED.value
        offer.responded_at = now
        await withdraw_offers(session, organisation, request, "taken", now, keep=offer)
        await cancel_routing(session, request)
        await retire_alerts(session, organisation, request, "alert.status.accepted", now)
        audit(
            session, request, actor=peer_actor(peer), action="accepted", detail=offer.tier, at=now
        )
        if not request.anonymous:
            audit(session, request, actor=peer_actor(peer), action="identity_revealed", at=now)
        if request.requester_id is None:
            return
        requester = await session.get(ChatIdentity, request.requester_id)
        assert requester is not None
        await update_acknowledgement(
            session,
            organisation,
            request,
            t(locale_of(requester, organisation), "ack.status.accepted"),
            now,
            step="accepted",
            buttons=[],
        )
        message = messages.connected_for_requester(
            locale_of(requester, organisation),
            request,
            peer_identity.display_name,
            address_of(peer_identity),
            requester.platform,
        )
        await deliver(
            session, to=requester, message=message, key=f"connected:{request.id}", now=now
        )

    async def _accepted_view(
        self, session: AsyncSession, locale: str, request: SupportRequest
    ) -> Message:
        requester = (
            await session.get(ChatIdentity, request.requester_id) if request.requester_id else None
        )
        return messages.accepted_for_peer(
            locale,
            request,
            requester.display_name if requester else None,
            address_of(requester) if requester else None,
            request.note,
        )

    def _closed_view(
        self, locale: str, request: SupportRequest, offer: Offer, now: datetime
    ) -> Message:
        if offer.status == OfferStatus.DECLINED.value:
            reason = "declined"
        elif request.status == RequestStatus.WITHDRAWN.value:
            reason = "withdrawn"
        elif offer.status == OfferStatus.WITHDRAWN.value:
            reason = "moved_on"
        else:
            reason = "taken"
        return messages.offer_closed(locale, request, reason)
