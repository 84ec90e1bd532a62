"""Ending a case: the requester withdraws (before or after a peer accepted), either side closes,
the follow-up check-ins are scheduled, and the peer is asked how they are."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import notices
from handlers.core.audit import REQUESTER, audit, peer_actor
from handlers.core.i18n import t
from handlers.core.jobs import enqueue
from handlers.core.outbox import deliver
from handlers.core.people import (
    Person,
    address_of,
    find_identity,
    identity_of,
    known_time_zone,
    locale_of,
)
from handlers.core.ports import Message, restated
from handlers.core.unit import Core
from handlers.roster.notify import coordinators
from handlers.support import messages
from handlers.support.encounters import encounter_question
from handlers.support.informing import (
    retire_alerts,
    tell_requester,
)
from handlers.support.lookups import accepting_peer, peer_case
from handlers.support.routing import withdraw_offers
from handlers.support.steps import (
    cancel_routing,
)
from models import (
    ChatIdentity,
    DueJob,
    Offer,
    OfferStatus,
    Organisation,
    Peer,
    RequestStatus,
    SupportRequest,
)

FOLLOW_UP = "follow_up"


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


class Cases:
    """A case comes to an end."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def withdraw(self, person: Person, request_id: str) -> Message:
        """The requester calls it off, before or after a peer accepted."""
        now = self.core.clock()
        async with self.core.database.session() as session, session.begin():
            found = await self._own_request(session, person, request_id)
            if isinstance(found, Message):
                return found
            request, requester, organisation = found
            locale = locale_of(requester, organisation)
            if request.status not in (RequestStatus.OPEN.value, RequestStatus.ACCEPTED.value):
                return notices.notice(locale, "request.already_closed")
            view = await self._withdraw_locked(session, organisation, request, locale, now)
        self.core.after_commit()
        return view

    async def close(self, person: Person, request_id: str) -> Message:
        """Either side ends an accepted case; the follow-up check-ins are scheduled."""
        now = self.core.clock()
        async with self.core.database.session() as session, session.begin():
            request = await session.get(SupportRequest, request_id, with_for_update=True)
            identity = await find_identity(session, person)
            if request is None or identity is None:
                return self.core.unknown(person)
            organisation = await session.get(Organisation, request.organisation_id)
            assert organisation is not None
            locale = locale_of(identity, organisation)
            peer = await accepting_peer(session, request)
            by_requester = identity.id == request.requester_id
            if not by_requester and (peer is None or peer.identity_id != identity.id):
                return notices.notice(locale, "request.not_yours")
            if by_requester and request.status == RequestStatus.OPEN.value:
                view = await self._withdraw_locked(session, organisation, request, locale, now)
            elif request.status != RequestStatus.ACCEPTED.value and not by_requester:
                # an old card's Close: it goes back to saying what the case was, and that it
                # has ended (not a bare line in its place)
                return messages.case_ended_for_peer(locale, request)
            elif request.status != RequestStatus.ACCEPTED.value:
                return notices.notice(locale, "request.already_closed")
            else:
                closing_peer = None if by_requester else peer
                view = await self._close_locked(
                    session, organisation, request, closing_peer, locale, now
                )
        self.core.after_commit()
        return view

    async def peer_wellbeing(self, person: Person, request_id: str, debrief: bool) -> Message:
        """The peer's answer to "how are you after this case?"; a debrief request reaches the
        coordinators with the peer's name (never the requester's)."""
        now = self.core.clock()
        async with self.core.database.session() as session, session.begin():
            case = await peer_case(session, self.core, person, request_id)
            if isinstance(case, Message):
                return case
            request, identity, organisation, peer, locale = (
                case.request, case.identity, case.organisation, case.peer, case.locale
            )  # fmt: skip
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
        self.core.after_commit()
        return view

    async def _own_request(
        self, session: AsyncSession, person: Person, request_id: str
    ) -> tuple[SupportRequest, ChatIdentity, Organisation] | Message:
        request = await session.get(SupportRequest, request_id, with_for_update=True)
        identity = await find_identity(session, person)
        if request is None or identity is None:
            return self.core.unknown(person)
        organisation = await session.get(Organisation, request.organisation_id)
        assert organisation is not None
        if request.requester_id != identity.id:
            return notices.notice(locale_of(identity, organisation), "request.not_yours")
        return request, identity, organisation

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
            await self._tell_requester_closed(session, organisation, request, now)
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

    async def _tell_requester_closed(
        self,
        session: AsyncSession,
        organisation: Organisation,
        request: SupportRequest,
        now: datetime,
    ) -> None:
        """The peer closed the case: the requester is told, with the day of the first check-in
        as it will really come (or none, if the organisation sends none)."""
        if request.requester_id is None:
            return
        requester = await session.get(ChatIdentity, request.requester_id)
        assert requester is not None
        due = follow_up_times(organisation, now, requester.time_zone)
        if not due:
            await tell_requester(
                session, organisation, request, "requester.peer_closed.no_check_ins", now
            )
            return
        zone = ZoneInfo(known_time_zone(requester.time_zone) or organisation.time_zone)
        first = min(moment for _, moment in due).astimezone(zone).date()
        locale = locale_of(requester, organisation)
        day = format_date(first, t(locale, "date.weekday_day"), locale=locale)
        await tell_requester(session, organisation, request, "requester.peer_closed", now, day=day)

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
        peer = await accepting_peer(session, request)
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
        """How they are after the case, then (optional, counted apart) what kind of support
        it was."""
        peer = await accepting_peer(session, request)
        if peer is None:
            return
        identity = await identity_of(session, peer)
        locale = locale_of(identity, organisation)
        message = messages.peer_wellbeing(locale, request)
        await deliver(session, to=identity, message=message, key=f"wellbeing:{request.id}", now=now)
        question = encounter_question(locale, request)
        await deliver(
            session, to=identity, message=question, key=f"encounter:{request.id}", now=now
        )

    async def _tell_peer(
        self,
        session: AsyncSession,
        organisation: Organisation,
        request: SupportRequest,
        key: str,
        now: datetime,
    ) -> None:
        peer = await accepting_peer(session, request)
        if peer is None:
            return
        identity = await identity_of(session, peer)
        message = notices.notice(
            locale_of(identity, organisation), key, reference=request.reference
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
                recipient_key=requester.lookup_key if requester else None,
                payload={"to": request.requester_id, "offset_days": offset, "round": request.id},
            )
