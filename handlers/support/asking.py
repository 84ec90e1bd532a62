"""Asking for support: the form's instant receipt, storing the request with its acknowledgement
and the job that makes its first offers (`first_offers`), and the answer (with the crisis lines)
when it cannot be stored yet."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from config.crisis import CrisisResource
from handlers.core import notices
from handlers.core.audit import REQUESTER, audit
from handlers.core.crisis_lines import crisis_resources
from handlers.core.i18n import pick_locale
from handlers.core.outbox import deliver
from handlers.core.people import (
    Person,
    identity_for,
    locale_of,
    organisation_for,
)
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.safety.risk import suggests_risk
from handlers.support import messages
from handlers.support.informing import alert_coordinators
from handlers.support.intake import IntakeForm, Urgency
from handlers.support.steps import schedule_routing, timeout_for
from models import Organisation, RequestStatus, SupportRequest

# Seconds between attempts to store a request the database refused (about ten minutes in all).
SUBMIT_RETRY_DELAYS = (5, 15, 30, 60, 120, 180, 240)
# Request ids derived from a submission's key (`request_support`): any fixed namespace will do.
SUBMISSIONS = uuid.UUID("6f1c2b1e-3d4a-4b8e-9a57-2c0d5e7f8a91")
STORING_AT_ONCE = 4
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submitted:
    request_id: str
    acknowledgement: Message


class Requests:
    """A person asks for support."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self._retries: set[asyncio.Task[None]] = set()
        # A burst of forms is stored a few at a time: the rest wait without using the CPU the
        # instant answers need, or more database connections than the pool has.
        self._storing = asyncio.Semaphore(STORING_AT_ONCE)

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
        card = await self.core.known.card(person.platform, person.tenant_id)
        locale = locale or pick_locale(person.locale, card.locale)
        crisis = form.crisis or suggests_risk(form.note, card.risk_phrases)
        return messages.receipt(locale, crisis, list(card.crisis), person.platform)

    async def crisis_lines_for(self, person: Person) -> tuple[str, list[CrisisResource]]:
        """(language, crisis lines) of the person's organisation, with or without a database."""
        card = await self.core.known.card(person.platform, person.tenant_id)
        return pick_locale(person.locale, card.locale), list(card.crisis)

    async def fallback(self, person: Person) -> Message:
        """The answer when storing a request failed: the organisation's own crisis lines, kept in
        memory (the defaults only for a workspace this process has never seen)."""
        locale, resources = await self.crisis_lines_for(person)
        return messages.fallback_acknowledgement(locale, resources)

    async def form_unavailable(self, person: Person, locale: str, key: str) -> None:
        """The platform would not show the intake form just now (its calls kept failing): the
        crisis lines and a button that shows the form again, queued for the worker, whose
        delivery is retried with the outbox's backoff. `key` (the click's or the message's id)
        makes a second attempt at the same click queue nothing more. With the database down as
        well nothing more can be done: that is logged, never raised to the adapter."""
        _, resources = await self.crisis_lines_for(person)
        message = notices.form_unavailable(locale, resources)
        try:
            async with self.core.database.session() as session, session.begin():
                organisation = await organisation_for(
                    session, person.platform, person.tenant_id, self.core.defaults
                )
                identity = await identity_for(session, organisation, person)
                await deliver(
                    session,
                    to=identity,
                    message=message,
                    key=f"form-unavailable:{key}",
                    now=self.core.clock(),
                )
        except Exception as exc:
            log.error("the form-unavailable message could not be queued (%s)", type(exc).__name__)
            return
        self.core.after_commit()

    async def request_support(
        self, person: Person, form: IntakeForm, key: str | None = None
    ) -> Submitted:
        """Store a request, queue its acknowledgement and the job that offers it.

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
        now = self.core.clock()
        async with self.core.database.session() as session, session.begin():
            organisation = await organisation_for(
                session, person.platform, person.tenant_id, self.core.defaults
            )
            requester = await identity_for(session, organisation, person)
            locale = locale_of(requester, organisation)
            stored = await session.get(SupportRequest, request_id)
            if stored is not None:
                ack = self._acknowledgement(locale, organisation, stored, person.platform)
                return Submitted(request_id, ack)
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
            ack = self._acknowledgement(locale, organisation, request, person.platform)
            await deliver(session, to=requester, message=ack, key=f"ack:{request.id}", now=now)
            if crisis:  # a human hears of it with the request, not after its routing
                await alert_coordinators(session, organisation, request, "coordinator.crisis", now)
            await schedule_routing(session, organisation, request, now)
        self.core.known.remember(person.platform, person.tenant_id, organisation)
        self.core.after_commit()
        return Submitted(request_id=request.id, acknowledgement=ack)

    @staticmethod
    def _acknowledgement(
        locale: str, organisation: Organisation, request: SupportRequest, platform: str
    ) -> Message:
        minutes = int(timeout_for(organisation, request.urgency).total_seconds() // 60)
        resources = crisis_resources(organisation)
        return messages.acknowledgement(locale, request, resources, minutes, platform)
