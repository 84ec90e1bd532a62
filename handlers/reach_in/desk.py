"""Reach-in after a serious event: the coordinator records it and picks the colleagues
involved; each gets a private offer, paced like the pulse; their answers become counts.

The coordinator's role check is the roster's (`require_coordinator`); on the command line the
operator records for an organisation (audited as `admin:cli`). An answer is counted on the
event and, once final, unlinks the invite from the person, so nothing a coordinator can see
(figures, audit log, the database's plain columns) says who answered what.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.audit import peer_actor, record
from handlers.core.jobs import enqueue
from handlers.core.outbox import deliver
from handlers.core.people import Person, find_identity, identity_for, locale_of
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.pulse.pacing import PACE_PER_SECOND
from handlers.reach_in import messages
from handlers.reach_in.form import EventForm
from handlers.reach_in.group import GroupSessions
from handlers.reports.reach_in import EventFigures, recent_figures
from handlers.roster.access import CLI_ACTOR, require_coordinator
from handlers.support.asking import Requests
from handlers.support.intake import Contact, IntakeForm, Urgency
from models import ChatIdentity, DueJob, Organisation, ReachInEvent, ReachInInvite, Workspace

REACH_IN_REMIND = "reach_in_remind"
REMIND_AFTER_DAYS = 3
log = logging.getLogger(__name__)


class NotInOrganisation(ValueError):
    """A colleague picked on the command line is in a workspace of another organisation."""


class ReachIn:
    def __init__(self, core: Core, requests: Requests) -> None:
        self.core = core
        self.requests = requests
        self.groups = GroupSessions(core)

    def job_handlers(self) -> dict[str, Callable[[DueJob], Awaitable[dict[str, Any] | None]]]:
        return {REACH_IN_REMIND: self._remind, **self.groups.job_handlers()}

    async def today(self, organisation_id: int) -> date:
        async with self.core.database.reader() as session:
            organisation = await session.get(Organisation, organisation_id)
            if organisation is None:
                raise LookupError(f"no organisation {organisation_id}")
        return self.core.clock().astimezone(ZoneInfo(organisation.time_zone)).date()

    async def record(
        self, actor: Person | None, organisation_id: int, locale: str, form: EventForm
    ) -> Message:
        """Store the event and queue one private offer per colleague; `actor` None is the
        command line. NotAllowed for anyone in chat who is not a coordinator of it."""
        now = self.core.clock()
        async with self.core.changing() as session:
            organisation = await session.get(Organisation, organisation_id)
            if organisation is None:
                raise LookupError(f"no organisation {organisation_id}")
            recorded_by = CLI_ACTOR
            if actor is not None:
                coordinator = await require_coordinator(session, actor)
                if coordinator.organisation_id != organisation_id:
                    raise LookupError(f"no organisation {organisation_id}")
                recorded_by = peer_actor(coordinator)
            event = ReachInEvent(
                organisation_id=organisation.id,
                occurred_on=form.occurred_on,
                category=form.category.value,
                units=list(form.units) or None,
                note=form.note,
                recorded_by=recorded_by,
                recorded_at=now,
                reached=0,
                talk=0,
                later=0,
                declined=0,
            )
            session.add(event)
            await session.flush()
            sent_per_workspace: dict[tuple[str, str], int] = {}
            recipients: list[int] = []
            for person in form.people:
                await _check_workspace(session, organisation, person)
                identity = await identity_for(session, organisation, person)
                recipients.append(identity.id)
                invite = ReachInInvite(event_id=event.id, identity_id=identity.id, created_at=now)
                session.add(invite)
                await session.flush()
                workspace = (identity.platform, identity.tenant_id)
                position = sent_per_workspace.get(workspace, 0)
                sent_per_workspace[workspace] = position + 1
                pace = PACE_PER_SECOND.get(identity.platform, 1.0)
                await deliver(
                    session,
                    to=identity,
                    message=messages.invitation(
                        locale_of(identity, organisation), invite.id, event.occurred_on
                    ),
                    key=f"reach_in:{invite.id}",
                    now=now + timedelta(seconds=position / pace),
                )
            event.reached = sum(sent_per_workspace.values())
            event.recipients = recipients
            record(
                session,
                organisation_id=organisation.id,
                request_id=None,
                actor=recorded_by,
                action="reach_in_recorded",
                detail=f"event:{event.id} reached:{event.reached}",
                at=now,
            )
        log.info("reach-in recorded: event %s, %s colleagues", event.id, event.reached)
        return messages.recorded(
            locale, event.reached, form.occurred_on, suggests_group(organisation, form)
        )

    async def confirmation(self, organisation_id: int, locale: str, form: EventForm) -> Message:
        """What `record` will answer, before it runs (Slack must be answered at once)."""
        async with self.core.database.reader() as session:
            organisation = await session.get(Organisation, organisation_id)
            if organisation is None:
                raise LookupError(f"no organisation {organisation_id}")
            group = suggests_group(organisation, form)
        return messages.recorded(locale, len(form.people), form.occurred_on, group)

    async def figures(self, organisation_id: int) -> list[EventFigures]:
        """The latest events' totals, suppressed (the command line's view)."""
        async with self.core.database.reader() as session:
            organisation = await session.get(Organisation, organisation_id)
            if organisation is None:
                raise LookupError(f"no organisation {organisation_id}")
            return await recent_figures(session, organisation, self.core.clock())

    async def answer(self, person: Person, action: str, invite_id: int) -> Message | None:
        """A colleague's answer to the offer; None for a button that is not theirs (forged)."""
        async with self.core.database.reader() as session:
            identity = await find_identity(session, person)
            invite = await session.get(ReachInInvite, invite_id)
            if identity is None or invite is None:
                return None
            organisation = await session.get(Organisation, identity.organisation_id)
            assert organisation is not None
            locale = locale_of(identity, organisation)
            if invite.answered:
                return messages.already_answered(locale)
            if invite.identity_id != identity.id:
                return None
            event = await session.get(ReachInEvent, invite.event_id)
            assert event is not None
            category = event.category
        if action == messages.TALK:
            return await self._talk(person, invite_id, locale, category)
        if action == messages.LATER:
            return await self._later(invite_id, locale)
        return await self._final(invite_id, locale, declined=True) or messages.declined_answer(
            locale
        )

    async def _talk(self, person: Person, invite_id: int, locale: str, category: str) -> Message:
        """A request as if they had filled the form: the event's category, urgency "today",
        by chat, in their language; the same key again (a double click) finds it."""
        form = IntakeForm(
            urgency=Urgency.TODAY, category=category, contact=Contact.CHAT, language=locale
        )
        acknowledgement = await self.requests.submit(person, form, key=f"reach-in:{invite_id}")
        already = await self._final(invite_id, locale, declined=False)
        if acknowledgement.kind != "intake.ack":  # not stored yet: the crisis lines, now
            return acknowledgement
        return already or messages.talk_answer(locale)

    async def _final(self, invite_id: int, locale: str, *, declined: bool) -> Message | None:
        """Count a final answer once and unlink the invite from the person; the "already
        answered" notice if it had been counted."""
        async with self.core.changing() as session:
            invite = await session.get(ReachInInvite, invite_id, with_for_update=True)
            if invite is None or invite.answered:
                return messages.already_answered(locale)
            event = await session.get(ReachInEvent, invite.event_id, with_for_update=True)
            assert event is not None
            if declined:
                event.declined += 1
            else:
                event.talk += 1
            invite.answered = True
            invite.identity_id = None
        return None

    async def _later(self, invite_id: int, locale: str) -> Message:
        """One reminder, in a few days; asking again changes nothing."""
        now = self.core.clock()
        key = f"{REACH_IN_REMIND}:{invite_id}"
        async with self.core.changing() as session:
            invite = await session.get(ReachInInvite, invite_id, with_for_update=True)
            if invite is None or invite.answered:
                return messages.already_answered(locale)
            if await session.scalar(select(DueJob.id).where(DueJob.idempotency_key == key)) is None:
                event = await session.get(ReachInEvent, invite.event_id, with_for_update=True)
                assert event is not None
                event.later += 1
                await enqueue(
                    session,
                    kind=REACH_IN_REMIND,
                    key=key,
                    run_at=now + timedelta(days=REMIND_AFTER_DAYS),
                    payload={"invite_id": invite_id},
                )
        return messages.later_answer(locale, invite_id, REMIND_AFTER_DAYS)

    async def _remind(self, job: DueJob) -> dict[str, Any]:
        now = self.core.clock()
        async with self.core.changing() as session:
            invite = await session.get(ReachInInvite, job.payload["invite_id"])
            if invite is None or invite.answered or invite.identity_id is None:
                return {"skipped": "answered"}
            identity = await session.get(ChatIdentity, invite.identity_id)
            event = await session.get(ReachInEvent, invite.event_id)
            if identity is None or event is None:
                return {"skipped": "gone"}
            organisation = await session.get(Organisation, event.organisation_id)
            assert organisation is not None
            message = messages.invitation(
                locale_of(identity, organisation), invite.id, event.occurred_on, reminder=True
            )
            await deliver(
                session, to=identity, message=message, key=f"reach_in:{invite.id}:again", now=now
            )
        return {"reminded": True}


def suggests_group(organisation: Organisation, form: EventForm) -> bool:
    """More people than the organisation's threshold, or more than one unit: a group session."""
    return len(form.people) > organisation.group_session_threshold or len(form.units) > 1


async def _check_workspace(
    session: AsyncSession, organisation: Organisation, person: Person
) -> None:
    workspace = await session.get(Workspace, (person.platform, person.tenant_id))
    if workspace is None or workspace.organisation_id != organisation.id:
        raise NotInOrganisation(
            f"{person.platform} workspace {person.tenant_id} is not linked to organisation "
            f"{organisation.id} (see `peer-support org link`)"
        )
