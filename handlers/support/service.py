"""The support flow's use cases: ask, accept, decline, withdraw, close, relay.

Adapters call these with a `Person` and plain values and show the `Message` they return (an
acknowledgement, or the replacement for a clicked card). Everything else a use case has to say
goes out through due jobs of kind `deliver`, committed with the change itself.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from config.crisis import CrisisResource
from handlers.core import notices
from handlers.core.audit import REQUESTER, audit, peer_actor
from handlers.core.crisis_lines import KnownOrganisations, crisis_resources
from handlers.core.i18n import pick_locale, t
from handlers.core.jobs import enqueue
from handlers.core.outbox import deliver
from handlers.core.people import (
    OrganisationDefaults,
    Person,
    address_of,
    find_identity,
    identity_for,
    identity_of,
    known_time_zone,
    locale_of,
    organisation_for,
)
from handlers.core.ports import Message, restated
from handlers.intake import IntakeForm, Urgency
from handlers.roster.admin import coordinator_peer, own_time_on_call
from handlers.roster.on_call import same_unit
from handlers.roster.status import PeerStatus
from handlers.routing import (
    ADVANCE,
    CHASE,
    ESCALATE,
    advance,
    alert_coordinators,
    alert_jobs,
    cancel_routing,
    chase,
    coordinators,
    move_on,
    nobody_took_it,
    offer_tier,
    retire_alerts,
    route_from,
    schedule_timeout,
    tell_requester,
    timeout_for,
    update_acknowledgement,
    withdraw_offers,
)
from handlers.safety.risk import suggests_risk
from handlers.support import messages
from models import (
    TIER_ORDER,
    ChatIdentity,
    DueJob,
    Offer,
    OfferStatus,
    Organisation,
    Peer,
    RequestStatus,
    SupportRequest,
    Tier,
    utcnow,
)
from models.db import Database

FOLLOW_UP = "follow_up"
# Seconds between attempts to store a request the database refused (about ten minutes in all).
SUBMIT_RETRY_DELAYS = (5, 15, 30, 60, 120, 180, 240)
STATUS_AHEAD = timedelta(days=14)  # how far a peer's home looks for their next time on call
# Request ids derived from a submission's key (`request_support`): any fixed namespace will do.
SUBMISSIONS = uuid.UUID("6f1c2b1e-3d4a-4b8e-9a57-2c0d5e7f8a91")
STORING_AT_ONCE = 4
PROFESSIONAL_INDEX = TIER_ORDER.index(Tier.PROFESSIONAL)
log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Relayed:
    """What came of a message written in an anonymous case: the answer to its writer, and the
    case it was passed on in (None when it was not: the writer is asked which case)."""

    answer: Message
    request_id: str | None
    from_requester: bool


@dataclass(frozen=True)
class Submitted:
    request_id: str
    acknowledgement: Message


def follow_up_times(
    organisation: Organisation, closed_at: datetime, person_zone: str | None = None
) -> list[tuple[int, datetime]]:
    """When each check-in is due: the offset's day, at the morning hour where the requester is
    (their own time zone when known, else the organisation's)."""
    zone = ZoneInfo(organisation.time_zone)
    if known_time_zone(person_zone):  # else the organisation's
        zone = ZoneInfo(str(person_zone))
    closed_local = closed_at.astimezone(zone).date()
    due = []
    for offset in organisation.follow_up_offsets_days:
        day = closed_local + timedelta(days=offset)
        local = datetime.combine(day, time(organisation.follow_up_local_hour), tzinfo=zone)
        due.append((offset, local.astimezone(closed_at.tzinfo)))
    return due


class SupportService:
    def __init__(
        self,
        database: Database,
        *,
        defaults: OrganisationDefaults | None = None,
        clock: Clock = utcnow,
        after_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.defaults = defaults or OrganisationDefaults()
        self.clock = clock
        self.after_commit = after_commit
        self._retries: set[asyncio.Task[None]] = set()
        # A burst of forms is stored a few at a time: the rest wait without using the CPU the
        # instant answers need, or more database connections than the pool has.
        self._storing = asyncio.Semaphore(STORING_AT_ONCE)
        # Each organisation's crisis lines and language, for answers the database cannot give.
        self.known = KnownOrganisations(database, self.defaults)

    # --- what adapters call -------------------------------------------------------------

    async def submit(self, person: Person, form: IntakeForm, key: str | None = None) -> Message:
        """Store a request and return its acknowledgement. If anything fails (the database, the
        roster, a bug), the person still gets the crisis resources at once, and the request is
        retried in the background for a few minutes (its acknowledgement arrives by message
        when it goes through). Only the error's class is logged: it may quote the form."""
        try:
            async with self._storing:
                return (await self.request_support(person, form, key)).acknowledgement
        except Exception as exc:
            log.error("a support request could not be stored (%s); retrying", type(exc).__name__)
            task = asyncio.create_task(self._keep_trying(person, form, key))
            self._retries.add(task)
            task.add_done_callback(self._retries.discard)
            return await self.fallback(person)

    async def _keep_trying(self, person: Person, form: IntakeForm, key: str | None) -> None:
        for delay in SUBMIT_RETRY_DELAYS:
            await asyncio.sleep(delay)
            try:
                await self.request_support(person, form, key)
            except Exception as exc:
                log.warning("support request retry failed (%s)", type(exc).__name__)
            else:
                log.info("a support request stored after a retry")
                return
        log.error(
            "a support request could not be stored after %s retries", len(SUBMIT_RETRY_DELAYS)
        )

    async def receipt(self, person: Person, form: IntakeForm, locale: str | None = None) -> Message:
        """The instant answer to a valid form, before `submit` stores it, so a form is answered
        in milliseconds however many arrive at once (Slack shows an error after 3 seconds). It
        needs only the organisation's language, crisis lines and risk phrases, which `known`
        keeps (the confirmation that follows by message reads them anew)."""
        card = await self.known.card(person.platform, person.tenant_id)
        locale = locale or pick_locale(person.locale, card.locale)
        crisis = form.crisis or suggests_risk(form.note, card.risk_phrases)
        return messages.receipt(locale, crisis, list(card.crisis))

    async def crisis_lines_for(self, person: Person) -> tuple[str, list[CrisisResource]]:
        """(language, crisis lines) of the person's organisation, with or without a database."""
        card = await self.known.card(person.platform, person.tenant_id)
        return pick_locale(person.locale, card.locale), list(card.crisis)

    async def fallback(self, person: Person) -> Message:
        """The answer when storing a request failed: the organisation's own crisis lines, kept in
        memory (the defaults only for a workspace this process has never seen)."""
        locale, resources = await self.crisis_lines_for(person)
        return messages.fallback_acknowledgement(locale, resources)

    async def locale_for(self, person: Person) -> str:
        """The person's language: their platform's, else their organisation's, else ours."""
        if person.locale:
            return pick_locale(person.locale)
        async with self.database.session() as session:
            identity = await find_identity(session, person)
            if identity is not None:
                organisation = await session.get(Organisation, identity.organisation_id)
                assert organisation is not None
                return locale_of(identity, organisation)
        return pick_locale(self.defaults.locale)

    async def request_support(
        self, person: Person, form: IntakeForm, key: str | None = None
    ) -> Submitted:
        """Store a request, queue its acknowledgement and offer it.

        `key` names one submission of a form (Slack's view id, the id in a Teams card): the same
        key again, from a replayed request, a retry or a double click, finds the request it made
        instead of making another (the request id is derived from it).
        """
        if key is None:
            return await self._store(person, form, str(uuid.uuid4()))
        request_id = str(uuid.uuid5(SUBMISSIONS, f"{person.platform}:{person.tenant_id}:{key}"))
        try:
            return await self._store(person, form, request_id)
        except IntegrityError:  # the same submission, stored a moment ago by another process
            return await self._store(person, form, request_id)

    async def _store(self, person: Person, form: IntakeForm, request_id: str) -> Submitted:
        now = self.clock()
        async with self.database.session() as session, session.begin():
            organisation = await organisation_for(
                session, person.platform, person.tenant_id, self.defaults
            )
            requester = await identity_for(session, organisation, person)
            locale = locale_of(requester, organisation)
            stored = await session.get(SupportRequest, request_id)
            if stored is not None:
                return Submitted(request_id, self._acknowledgement(locale, organisation, stored))
            # A risk answer, or risk words in the note, makes a crisis request: the most urgent.
            crisis = form.crisis or suggests_risk(form.note, organisation.risk_phrases or ())
            request = SupportRequest(
                id=request_id,
                organisation_id=organisation.id,
                requester_id=requester.id,
                urgency=Urgency.NOW.value if crisis else form.urgency.value,
                category=form.category.value,
                contact=form.contact_to_keep().value,
                language=form.language.value,
                anonymous=form.anonymous,
                exclude_own_unit=form.exclude_own_unit,
                requester_unit=form.unit,
                note=form.note,
                contact_number=form.number_to_keep(),
                crisis=crisis,
                status=RequestStatus.OPEN.value,
                tier_index=0,
                escalations=0,
                created_at=now,
            )
            session.add(request)
            await session.flush()
            audit(
                session,
                request,
                actor=REQUESTER,
                action="requested",
                detail="crisis" if crisis else form.urgency.value,
                at=now,
            )
            ack = self._acknowledgement(locale, organisation, request)
            await deliver(session, to=requester, message=ack, key=f"ack:{request.id}", now=now)
            await self._route_new(session, organisation, request, now)
        self.known.remember(person.platform, person.tenant_id, organisation)
        self.after_commit()
        return Submitted(request_id=request.id, acknowledgement=ack)

    @staticmethod
    def _acknowledgement(
        locale: str, organisation: Organisation, request: SupportRequest
    ) -> Message:
        minutes = int(timeout_for(organisation, request.urgency).total_seconds() // 60)
        return messages.acknowledgement(locale, request, crisis_resources(organisation), minutes)

    async def accept(self, person: Person, offer_id: int) -> Message:
        now = self.clock()
        async with self.database.session() as session, session.begin():
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
        self.after_commit()
        return view

    async def take(self, person: Person, request_id: str) -> Message:
        """A coordinator's "I will make contact" on an alert: they take the case as if they had
        accepted an offer (first answer wins, audited the same way)."""
        now = self.clock()
        async with self.database.session() as session, session.begin():
            request = await session.get(SupportRequest, request_id)
            coordinator = await coordinator_peer(session, person)
            if request is None or coordinator is None:
                return await self._unknown(session, person)
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
        self.after_commit()
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
        now = self.clock()
        async with self.database.session() as session, session.begin():
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
        self.after_commit()
        return view

    async def withdraw(self, person: Person, request_id: str) -> Message:
        """The requester calls it off, before or after a peer accepted."""
        now = self.clock()
        async with self.database.session() as session, session.begin():
            found = await self._own_request(session, person, request_id)
            if isinstance(found, Message):
                return found
            request, requester, organisation = found
            locale = locale_of(requester, organisation)
            if request.status not in (RequestStatus.OPEN.value, RequestStatus.ACCEPTED.value):
                return notices.notice(locale, "request.already_closed")
            view = await self._withdraw_locked(session, organisation, request, locale, now)
        self.after_commit()
        return view

    async def close(self, person: Person, request_id: str) -> Message:
        """Either side ends an accepted case; the follow-up check-ins are scheduled."""
        now = self.clock()
        async with self.database.session() as session, session.begin():
            request = await session.get(SupportRequest, request_id, with_for_update=True)
            identity = await find_identity(session, person)
            if request is None or identity is None:
                return await self._unknown(session, person)
            organisation = await session.get(Organisation, request.organisation_id)
            assert organisation is not None
            locale = locale_of(identity, organisation)
            peer = await self._accepting_peer(session, request)
            by_requester = identity.id == request.requester_id
            if not by_requester and (peer is None or peer.identity_id != identity.id):
                return notices.notice(locale, "request.not_yours")
            if by_requester and request.status == RequestStatus.OPEN.value:
                view = await self._withdraw_locked(session, organisation, request, locale, now)
            elif request.status != RequestStatus.ACCEPTED.value:
                return notices.notice(locale, "request.already_closed")
            else:
                closing_peer = None if by_requester else peer
                view = await self._close_locked(
                    session, organisation, request, closing_peer, locale, now
                )
        self.after_commit()
        return view

    async def peer_wellbeing(self, person: Person, request_id: str, debrief: bool) -> Message:
        """The peer's answer to "how are you after this case?"; a debrief request reaches the
        coordinators with the peer's name (never the requester's)."""
        now = self.clock()
        async with self.database.session() as session, session.begin():
            request = await session.get(SupportRequest, request_id)
            identity = await find_identity(session, person)
            if request is None or identity is None:
                return await self._unknown(session, person)
            organisation = await session.get(Organisation, request.organisation_id)
            assert organisation is not None
            locale = locale_of(identity, organisation)
            peer = await self._accepting_peer(session, request)
            if peer is None or peer.identity_id != identity.id:
                return notices.notice(locale, "request.not_yours")
            if not debrief:
                return notices.notice(locale, "peer.wellbeing.thanks")
            for coordinator in await coordinators(session, organisation):
                if coordinator.id == peer.id:
                    continue
                other = await identity_of(session, coordinator)
                message = messages.debrief_request(
                    locale_of(other, organisation), identity.display_name, address_of(identity)
                )
                await deliver(
                    session,
                    to=other,
                    message=message,
                    key=f"debrief:{request.id}:{coordinator.id}",
                    now=now,
                )
            audit(session, request, actor=peer_actor(peer), action="debrief_requested", at=now)
            view = notices.notice(locale, "peer.wellbeing.debrief_sent")
        self.after_commit()
        return view

    async def peer_status(self, person: Person) -> PeerStatus | None:
        """What a peer's home view shows: their tier, whether and when they are on call, their
        switch, their open cases."""
        now = self.clock()
        async with self.database.session() as session:
            identity = await find_identity(session, person)
            peer = (
                await session.scalar(
                    select(Peer).where(Peer.identity_id == identity.id, Peer.active.is_(True))
                )
                if identity is not None
                else None
            )
            if peer is None:
                return None
            organisation = await session.get(Organisation, peer.organisation_id)
            assert organisation is not None
            cases = await session.scalars(
                select(SupportRequest)
                .where(
                    SupportRequest.accepted_peer_id == peer.id,
                    SupportRequest.status == RequestStatus.ACCEPTED.value,
                )
                .order_by(SupportRequest.accepted_at)
            )
            stretch = await own_time_on_call(session, organisation, peer, now, now + STATUS_AHEAD)
            return PeerStatus(
                tier=peer.tier,
                available=peer.available,
                open_cases=[messages.reference(case) for case in cases],
                on_call_now=stretch is not None and stretch.starts_at <= now,
                on_call_from=stretch.starts_at if stretch else None,
                on_call_until=(
                    stretch.ends_at if stretch and stretch.ends_at <= now + STATUS_AHEAD else None
                ),
                time_zone=organisation.time_zone,
            )

    async def set_available(self, person: Person, available: bool) -> Message:
        """A peer's own unavailable switch (the roster skips them while it is off)."""
        async with self.database.session() as session, session.begin():
            identity = await find_identity(session, person)
            peer = (
                await session.scalar(select(Peer).where(Peer.identity_id == identity.id))
                if identity is not None
                else None
            )
            if identity is None or peer is None:
                return await self._unknown(session, person)
            peer.available = available
            organisation = await session.get(Organisation, identity.organisation_id)
            assert organisation is not None
            locale = locale_of(identity, organisation)
        return notices.notice(locale, "availability.on" if available else "availability.off")

    async def relay(
        self, person: Person, text: str, risk: list[CrisisResource] | None = None
    ) -> Relayed | None:
        """Anonymous mode: pass a message to the other side. None if there is no such case.

        Someone in several anonymous cases at once starts the message with the case reference
        (`AB12CD your text`); without it nothing is passed on and they are asked which case, so a
        reply never reaches the wrong person. `risk` (the crisis lines) flags words that
        suggest risk: the message still goes, with guidance for whoever reads it.
        """
        now = self.clock()
        async with self.database.session() as session, session.begin():
            identity = await find_identity(session, person)
            if identity is None:
                return None
            peer_ids = select(Peer.id).where(Peer.identity_id == identity.id)
            cases = list(
                await session.scalars(
                    select(SupportRequest)
                    .where(
                        SupportRequest.status == RequestStatus.ACCEPTED.value,
                        SupportRequest.anonymous.is_(True),
                        or_(
                            SupportRequest.requester_id == identity.id,
                            SupportRequest.accepted_peer_id.in_(peer_ids),
                        ),
                    )
                    .order_by(SupportRequest.accepted_at)
                )
            )
            if not cases:
                return None
            organisation = await session.get(Organisation, cases[0].organisation_id)
            assert organisation is not None
            request, text = addressed_case(cases, text)
            if request is None:
                which = notices.notice(
                    locale_of(identity, organisation),
                    "relay.which",
                    references=", ".join(messages.reference(case) for case in cases),
                    example=messages.reference(cases[-1]),
                )
                return Relayed(which, None, from_requester=False)
            from_requester = request.requester_id == identity.id
            if from_requester:
                peer = await self._accepting_peer(session, request)
                assert peer is not None
                other = await identity_of(session, peer)
            else:
                assert request.requester_id is not None
                other = await session.get(ChatIdentity, request.requester_id)
                assert other is not None
            message = messages.relayed(
                locale_of(other, organisation), from_requester, text, request, risk
            )
            key = f"{relay_key_prefix(request.id)}{uuid.uuid4()}"  # found again by `forget`
            await deliver(session, to=other, message=message, key=key, now=now)
            view = notices.notice(
                locale_of(identity, organisation),
                "relay.sent",
                reference=messages.reference(request),
            )
        self.after_commit()
        return Relayed(view, request.id, from_requester)

    # --- due jobs -------------------------------------------------------------------------

    def job_handlers(self) -> dict[str, Callable[[DueJob], Awaitable[dict[str, Any] | None]]]:
        return {ESCALATE: self._run_escalation, ADVANCE: self._run_advance, CHASE: self._run_chase}

    async def _run_escalation(self, job: DueJob) -> dict[str, Any]:
        from handlers.routing import escalate

        async with self.database.session() as session, session.begin():
            outcome = await escalate(
                session, job.payload["request_id"], job.payload["tier_index"], self.clock()
            )
        self.after_commit()
        return {"outcome": outcome}

    async def _run_chase(self, job: DueJob) -> dict[str, Any]:
        async with self.database.session() as session, session.begin():
            outcome = await chase(
                session, job.payload["request_id"], job.payload["round"], self.clock()
            )
        self.after_commit()
        return {"outcome": outcome}

    async def _run_advance(self, job: DueJob) -> dict[str, Any]:
        async with self.database.session() as session, session.begin():
            outcome = await advance(session, job.payload["offer_id"], self.clock())
        self.after_commit()
        return {"outcome": outcome}

    # --- inside a transaction -------------------------------------------------------------

    async def _route_new(
        self,
        session: AsyncSession,
        organisation: Organisation,
        request: SupportRequest,
        now: datetime,
    ) -> None:
        professionals_asked = 0
        if request.crisis:
            professionals_asked = await offer_tier(
                session, organisation, request, Tier.PROFESSIONAL, now, all_at_once=True
            )
            await alert_coordinators(session, organisation, request, "coordinator.crisis", now)
        if await route_from(session, organisation, request, 0, now):
            return
        if professionals_asked:  # only they could be asked: their timeout moves it on as any
            await schedule_timeout(session, organisation, request, PROFESSIONAL_INDEX, now)
            return
        await nobody_took_it(session, organisation, request, now, nobody_on_call=True)

    async def _offer_for(
        self, session: AsyncSession, person: Person, offer_id: int
    ) -> tuple[Offer, Peer, ChatIdentity, SupportRequest, Organisation] | Message:
        offer = await session.get(Offer, offer_id)
        identity = await find_identity(session, person)
        if offer is None or identity is None:
            return await self._unknown(session, person)
        peer = await session.get(Peer, offer.peer_id)
        assert peer is not None
        request = await session.get(SupportRequest, offer.request_id)
        assert request is not None
        organisation = await session.get(Organisation, request.organisation_id)
        assert organisation is not None
        if peer.identity_id != identity.id:
            return notices.notice(locale_of(identity, organisation), "offer.not_yours")
        return offer, peer, identity, request, organisation

    async def _own_request(
        self, session: AsyncSession, person: Person, request_id: str
    ) -> tuple[SupportRequest, ChatIdentity, Organisation] | Message:
        request = await session.get(SupportRequest, request_id, with_for_update=True)
        identity = await find_identity(session, person)
        if request is None or identity is None:
            return await self._unknown(session, person)
        organisation = await session.get(Organisation, request.organisation_id)
        assert organisation is not None
        if request.requester_id != identity.id:
            return notices.notice(locale_of(identity, organisation), "request.not_yours")
        return request, identity, organisation

    async def _unknown(self, session: AsyncSession, person: Person) -> Message:
        return notices.notice(pick_locale(person.locale, self.defaults.locale), "request.unknown")

    async def _accepting_peer(self, session: AsyncSession, request: SupportRequest) -> Peer | None:
        if request.accepted_peer_id is None:
            return None
        return await session.get(Peer, request.accepted_peer_id)

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

    async def _withdraw_locked(
        self,
        session: AsyncSession,
        organisation: Organisation,
        request: SupportRequest,
        locale: str,
        now: datetime,
    ) -> Message:
        was_accepted = request.status == RequestStatus.ACCEPTED.value
        request.status = RequestStatus.WITHDRAWN.value
        request.closed_at = now
        request.closed_by = REQUESTER
        await withdraw_offers(session, organisation, request, "withdrawn", now)
        await cancel_routing(session, request)
        if was_accepted:
            await self._tell_peer(session, organisation, request, "peer.requester_withdrew", now)
        await self._retire_buttons(session, organisation, request, now)
        audit(session, request, actor=REQUESTER, action="withdrawn", at=now)
        return notices.notice(locale, "request.withdrawn")

    async def _close_locked(
        self,
        session: AsyncSession,
        organisation: Organisation,
        request: SupportRequest,
        closing_peer: Peer | None,
        locale: str,
        now: datetime,
    ) -> Message:
        """Close an accepted case; `closing_peer` closed it, or None if the requester did."""
        request.status = RequestStatus.CLOSED.value
        request.closed_at = now
        request.closed_by = "peer" if closing_peer else REQUESTER
        if closing_peer:
            await tell_requester(session, organisation, request, "requester.peer_closed", now)
        else:
            await self._tell_peer(session, organisation, request, "peer.requester_closed", now)
        await self._retire_buttons(session, organisation, request, now)
        await self._schedule_follow_ups(session, organisation, request, now)
        await self._ask_peer_how_they_are(session, organisation, request, now)
        audit(
            session,
            request,
            actor=peer_actor(closing_peer) if closing_peer else REQUESTER,
            action="closed",
            at=now,
        )
        return notices.notice(locale, "request.closed")

    async def _retire_buttons(
        self,
        session: AsyncSession,
        organisation: Organisation,
        request: SupportRequest,
        now: datetime,
    ) -> None:
        """Once a case has ended, the messages that still carry its Withdraw or Close button
        are updated in place: the requester's acknowledgement and connection notice keep their
        text (and crisis lines) with a status line saying so; the peer's card says the case has
        ended; alerts about it too. No button is left that seems to work."""
        for key in (f"ack:{request.id}", f"connected:{request.id}"):
            job = await session.scalar(
                select(DueJob).where(DueJob.idempotency_key == f"deliver:{key}")
            )
            recipient = await session.get(ChatIdentity, job.payload["to"]) if job else None
            if job is None or recipient is None:
                continue
            original = Message.model_validate(job.payload["message"])
            status = messages.ended_status(locale_of(recipient, organisation), request)
            await deliver(
                session,
                to=recipient,
                message=restated(original, status),
                key=f"ended:{job.id}",
                now=now,
                update_of=job,
            )
        accepted = await session.scalar(
            select(Offer).where(
                Offer.request_id == request.id, Offer.status == OfferStatus.ACCEPTED.value
            )
        )
        offer_job = (
            await session.get(DueJob, accepted.delivery_job_id)
            if accepted is not None and accepted.delivery_job_id is not None
            else None
        )
        peer = await self._accepting_peer(session, request)
        if offer_job is not None and peer is not None:
            identity = await identity_of(session, peer)
            message = messages.case_ended_for_peer(locale_of(identity, organisation), request)
            await deliver(
                session,
                to=identity,
                message=message,
                key=f"ended:{offer_job.id}",
                now=now,
                update_of=offer_job,
            )
        await retire_alerts(session, organisation, request, f"alert.status.{request.status}", now)

    async def _ask_peer_how_they_are(
        self,
        session: AsyncSession,
        organisation: Organisation,
        request: SupportRequest,
        now: datetime,
    ) -> None:
        peer = await self._accepting_peer(session, request)
        if peer is None:
            return
        identity = await identity_of(session, peer)
        message = messages.peer_wellbeing(locale_of(identity, organisation), request)
        await deliver(session, to=identity, message=message, key=f"wellbeing:{request.id}", now=now)

    async def _tell_peer(
        self,
        session: AsyncSession,
        organisation: Organisation,
        request: SupportRequest,
        key: str,
        now: datetime,
    ) -> None:
        peer = await self._accepting_peer(session, request)
        if peer is None:
            return
        identity = await identity_of(session, peer)
        message = notices.notice(
            locale_of(identity, organisation), key, reference=messages.reference(request)
        )
        await deliver(session, to=identity, message=message, key=f"{key}:{request.id}", now=now)

    async def _schedule_follow_ups(
        self,
        session: AsyncSession,
        organisation: Organisation,
        request: SupportRequest,
        now: datetime,
    ) -> None:
        if request.requester_id is None:
            return
        requester = await session.get(ChatIdentity, request.requester_id)
        person_zone = requester.time_zone if requester else None
        for offset, run_at in follow_up_times(organisation, now, person_zone):
            await enqueue(
                session,
                kind=FOLLOW_UP,
                key=f"follow_up:{request.id}:{offset}",
                run_at=run_at,
                organisation_id=organisation.id,
                payload={"to": request.requester_id, "offset_days": offset, "round": request.id},
            )


def addressed_case(cases: list[SupportRequest], text: str) -> tuple[SupportRequest | None, str]:
    """Which case a relayed message is for, and the message without its leading reference.

    With one case a leading reference is optional; with several it is required (None if absent
    or unknown).
    """
    first, _, rest = text.strip().partition(" ")
    wanted = first.strip("#:,").upper()
    for case in cases:
        if wanted == messages.reference(case) and rest.strip():
            return case, rest.strip()
    return (cases[0], text) if len(cases) == 1 else (None, text)


def relay_key_prefix(request_id: str) -> str:
    """How relayed messages of a case are keyed (see `deliver`): they quote both sides."""
    return f"relay:{request_id}:"
