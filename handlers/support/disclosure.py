"""When what someone writes to the bot suggests they may be at risk.

The writer is answered at once with the organisation's crisis lines, and a human is alerted
through durable jobs, whatever their situation:

- no request of theirs is open: an urgent, anonymous crisis request is made for them (a
  professional and the peers on call are asked now; they talk here, through the bot, and can
  call it off with one click);
- their request is waiting for a peer: it becomes a crisis request (urgent, the professional tier
  asked now, the coordinators alerted);
- a peer has their case: the peer is told what to do, and the professional on call is alerted;
- they are the peer of a case: the professional on call is alerted about that case.

The text itself is never stored, logged or audited; the audit says only that it happened.
Alerts about one case go out at most once per ALERT_QUIET (the writer is answered every time).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.audit import REQUESTER, audit, peer_actor
from handlers.core.crisis_lines import crisis_resources
from handlers.core.i18n import pick_locale, t
from handlers.core.languages import Language
from handlers.core.outbox import deliver
from handlers.core.people import (
    Person,
    address_of,
    identity_for,
    identity_of,
    locale_of,
    organisation_for,
)
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.roster.on_call import on_call
from handlers.safety.risk import suggests_risk
from handlers.support import messages, risk_messages
from handlers.support.asking import Requests
from handlers.support.informing import alert_coordinators, alert_key, update_acknowledgement
from handlers.support.intake import Category, Contact, IntakeForm, Urgency
from handlers.support.relay import Relay, Relayed
from handlers.support.routing import offer_tier
from handlers.support.steps import bring_forward
from models import (
    AuditEvent,
    ChatIdentity,
    Offer,
    Organisation,
    Peer,
    RequestStatus,
    SupportRequest,
    Tier,
)

log = logging.getLogger(__name__)

DISCLOSED = "risk_disclosed"  # the audit action
ALERT_QUIET = timedelta(minutes=15)
# How long the person waits for the alarm to be recorded before the answer from memory.
ANSWER_SECONDS = 2.5
RETRY_DELAYS = (5, 15, 30, 60, 120, 180, 240)


class Disclosures:
    def __init__(self, core: Core, requests: Requests, relay: Relay) -> None:
        self.core = core
        self.requests = requests
        self.relay = relay
        self._retries: set[asyncio.Task[None]] = set()

    async def suggests_risk(self, person: Person, text: str) -> bool:
        """Whether `text` holds a shipped risk phrase or one of the organisation's own."""
        card = await self.core.known.card(person.platform, person.tenant_id)
        return suggests_risk(text, card.risk_phrases)

    async def written(self, person: Person, text: str, key: str | None = None) -> Message:
        """The answer to something a person wrote to the bot that is not a command: relayed in
        an anonymous case, and, if it suggests risk, the crisis lines and a human alerted."""
        card = await self.core.known.card(person.platform, person.tenant_id)
        if not suggests_risk(text, card.risk_phrases):
            relayed = await self.relay.pass_on(person, text)
            if relayed is not None:
                return relayed.answer
            locale = await self.core.locale_for(person)
            return messages.no_relay(locale)
        resources = list(card.crisis)
        key = key or uuid.uuid4().hex
        relayed: Relayed | None = None
        try:
            async with asyncio.timeout(ANSWER_SECONDS):
                relayed = await self.relay.pass_on(person, text, risk=resources)
                return await self.disclosed(person, key, relayed)
        except Exception as exc:  # the database, slow or down, or a bug: the lines need neither
            log.error("a risk disclosure could not be recorded (%s); retrying", type(exc).__name__)
            task = asyncio.create_task(self._keep_trying(person, key, relayed))
            self._retries.add(task)
            task.add_done_callback(self._retries.discard)
            locale = pick_locale(person.locale, card.locale)
            return risk_messages.answer_unrecorded(locale, resources)

    async def _keep_trying(self, person: Person, key: str, relayed: Relayed | None) -> None:
        for delay in RETRY_DELAYS:
            await asyncio.sleep(delay)
            try:
                await self.disclosed(person, key, relayed)
            except Exception as exc:
                log.warning("risk disclosure retry failed (%s)", type(exc).__name__)
            else:
                log.info("a risk disclosure recorded after a retry")
                return
        log.error("a risk disclosure could not be recorded after %s retries", len(RETRY_DELAYS))

    async def disclosed(self, person: Person, key: str, relayed: Relayed | None = None) -> Message:
        """Raise the alarm for `person` (idempotent for one `key`); returns their answer."""
        now = self.core.clock()
        async with self.core.database.session() as session, session.begin():
            organisation = await organisation_for(
                session, person.platform, person.tenant_id, self.core.defaults
            )
            writer = await identity_for(session, organisation, person)
            locale = locale_of(writer, organisation)
            resources = crisis_resources(organisation)
            own = await _own_request(session, writer)
            supporting = await _supported_case(session, writer, relayed)
            if own is None and supporting is None:
                answer = None  # a request is made for them, below
            elif own is not None and own.status == RequestStatus.OPEN.value:
                professional = await self._make_urgent(session, organisation, own, now)
                answer = risk_messages.answer_waiting(locale, resources, own, professional)
            elif own is not None:
                told = await self._alert_case(session, organisation, own, now, relayed, False)
                answer = risk_messages.answer_accepted(locale, resources, own, relayed, told)
            else:
                assert supporting is not None
                told = await self._alert_case(session, organisation, supporting, now, relayed, True)
                answer = risk_messages.answer_peer(locale, resources, supporting, relayed, told)
        if answer is not None:
            self.core.after_commit()
            return answer
        form = IntakeForm(
            urgency=Urgency.NOW,
            category=Category.OTHER,
            contact=Contact.CHAT,
            language=Language(locale) if locale in set(Language) else Language.EN,
            anonymous=True,
            crisis=True,
        )
        submitted = await self.requests.request_support(person, form, key=f"risk:{key}")
        async with self.core.database.session() as session, session.begin():
            request = await session.get(SupportRequest, submitted.request_id)
            assert request is not None
            await _audit_once(session, request, REQUESTER, "new", now)
        return risk_messages.answer_new(locale, resources, request)

    async def _make_urgent(
        self,
        session: AsyncSession,
        organisation: Organisation,
        request: SupportRequest,
        now: datetime,
    ) -> bool:
        """A waiting request becomes a crisis request: the most urgent, the professional tier
        asked now, the coordinators alerted, its next step brought forward. True if a
        professional has it."""
        await session.refresh(request, with_for_update=True)
        await _audit_once(session, request, REQUESTER, "waiting", now)
        if not request.crisis:
            request.crisis = True
            request.urgency = Urgency.NOW.value
            await offer_tier(
                session, organisation, request, Tier.PROFESSIONAL, now, all_at_once=True
            )
            await alert_coordinators(session, organisation, request, "coordinator.crisis", now)
            await bring_forward(session, organisation, request, now)
        professional = await _offered_to_a_professional(session, request)
        if request.requester_id is not None:
            requester = await session.get(ChatIdentity, request.requester_id)
            assert requester is not None
            key = (
                "ack.status.crisis_now" if professional else "ack.status.crisis_now.no_professional"
            )
            await update_acknowledgement(
                session,
                organisation,
                request,
                t(locale_of(requester, organisation), key),
                now,
                step="crisis",
            )
        return professional

    async def _alert_case(
        self,
        session: AsyncSession,
        organisation: Organisation,
        request: SupportRequest,
        now: datetime,
        relayed: Relayed | None,
        by_peer: bool,
    ) -> str:
        """An accepted case: its peer is told what to do (unless the flagged message reached
        them already) and the professional tier is alerted, with the peer as their contact; with
        no professional on the roster, the coordinators. Returns who was told ("professional"
        or "coordinator")."""
        peer = (
            await session.get(Peer, request.accepted_peer_id) if request.accepted_peer_id else None
        )
        professionals = [
            professional
            for professional in await _professionals(session, organisation, now)
            if peer is None or professional.id != peer.id
        ]
        told = "professional" if professionals else "coordinator"
        actor = peer_actor(peer) if peer is not None and by_peer else REQUESTER
        situation = f"{'by_peer' if by_peer else 'case'}:{peer.id if peer else '-'}"
        if not await _audit_once(session, request, actor, situation, now) or peer is None:
            return told
        peer_identity = await identity_of(session, peer)
        stamp = now.strftime("%Y%m%d%H%M")
        passed_on = relayed is not None and relayed.request_id == request.id
        if not by_peer and not passed_on:
            message = risk_messages.peer_alert(
                locale_of(peer_identity, organisation),
                request,
                crisis_resources(organisation),
                told,
            )
            await deliver(
                session,
                to=peer_identity,
                message=message,
                key=f"{alert_key(request, 'risk.peer')}.{stamp}",
                now=now,
            )
        for professional in professionals:
            identity = await identity_of(session, professional)
            message = risk_messages.professional_alert(
                locale_of(identity, organisation), request, by_peer, address_of(peer_identity)
            )
            await deliver(
                session,
                to=identity,
                message=message,
                key=f"{alert_key(request, 'risk.professional')}.{stamp}:{professional.id}",
                now=now,
            )
            audit(session, request, actor=peer_actor(professional), action="risk_alerted", at=now)
        if not professionals:
            await alert_coordinators(
                session, organisation, request, "coordinator.risk_in_case", now, f".{stamp}"
            )
        return told


async def _audit_once(
    session: AsyncSession, request: SupportRequest, actor: str, situation: str, now: datetime
) -> bool:
    """Audit the disclosure (never its words); True unless one was audited for this request in
    the same situation (waiting, a case with the same peer...) within ALERT_QUIET, when the
    alerts have just gone out."""
    recent = await session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.request_id == request.id,
            AuditEvent.action == DISCLOSED,
            AuditEvent.detail == situation,
            AuditEvent.at >= now - ALERT_QUIET,
        )
    )
    audit(session, request, actor=actor, action=DISCLOSED, detail=situation, at=now)
    return not recent


async def _offered_to_a_professional(session: AsyncSession, request: SupportRequest) -> bool:
    count = await session.scalar(
        select(func.count())
        .select_from(Offer)
        .where(Offer.request_id == request.id, Offer.tier == Tier.PROFESSIONAL.value)
    )
    return bool(count)


async def _own_request(session: AsyncSession, writer: ChatIdentity) -> SupportRequest | None:
    """The writer's latest request that is still open or accepted."""
    return await session.scalar(
        select(SupportRequest)
        .where(
            SupportRequest.requester_id == writer.id,
            SupportRequest.status.in_([RequestStatus.OPEN.value, RequestStatus.ACCEPTED.value]),
        )
        .order_by(SupportRequest.created_at.desc())
        .limit(1)
    )


async def _supported_case(
    session: AsyncSession, writer: ChatIdentity, relayed: Relayed | None
) -> SupportRequest | None:
    """The case the writer supports as its peer: the one the message was passed on in, else
    their latest open case."""
    if relayed is not None and relayed.request_id and not relayed.from_requester:
        return await session.get(SupportRequest, relayed.request_id)
    peer_ids = select(Peer.id).where(Peer.identity_id == writer.id)
    return await session.scalar(
        select(SupportRequest)
        .where(
            SupportRequest.accepted_peer_id.in_(peer_ids),
            SupportRequest.status == RequestStatus.ACCEPTED.value,
        )
        .order_by(SupportRequest.accepted_at.desc())
        .limit(1)
    )


async def _professionals(
    session: AsyncSession, organisation: Organisation, now: datetime
) -> list[Peer]:
    """The professional tier on call now, else every active professional on the roster."""
    on_duty = await on_call(session, organisation, Tier.PROFESSIONAL, now)
    if on_duty:
        return on_duty
    return list(
        await session.scalars(
            select(Peer)
            .where(
                Peer.organisation_id == organisation.id,
                Peer.tier == Tier.PROFESSIONAL.value,
                Peer.active.is_(True),
            )
            .order_by(Peer.id)
        )
    )
