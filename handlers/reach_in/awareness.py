"""Telling people the service exists (awareness is where real programmes fail): an introduction
when someone first meets the bot, the installer's next steps, and a gentle reminder to all staff
every N weeks (an organisation setting, off by default), paced like the pulse. Anyone who said
"stop these reminders" never gets one again; the roster is only ever described as a group.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import notices
from handlers.core.dates import week_start
from handlers.core.jobs import enqueue
from handlers.core.outbox import deliver
from handlers.core.people import (
    Person,
    find_organisation,
    identity_for,
    locale_of,
    organisation_for,
)
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.pulse.pacing import PACE_PER_SECOND
from handlers.pulse.rounds import opening_time
from handlers.reach_in import awareness_messages
from models import ChatIdentity, DueJob, Organisation, Peer, Tier

AWARENESS_FAN_OUT = "awareness_fan_out"
FIRST_MONDAY = date(2024, 1, 1)  # reminder weeks are counted from here: every Nth week
SENDING_WINDOW = timedelta(days=1)


async def roster_size(session: AsyncSession, organisation: Organisation, today: date) -> int:
    """How many trained peer supporters the roster has (peers and backups whose training is
    current): the group, never who."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Peer)
            .where(
                Peer.organisation_id == organisation.id,
                Peer.active.is_(True),
                Peer.tier.in_((Tier.PEER.value, Tier.BACKUP.value)),
                or_(Peer.training_valid_until.is_(None), Peer.training_valid_until >= today),
            )
        )
        or 0
    )


def reminder_week(organisation: Organisation, week_of: date) -> bool:
    weeks = organisation.awareness_every_weeks
    return weeks > 0 and ((week_of - FIRST_MONDAY).days // 7) % weeks == 0


class Awareness:
    def __init__(self, core: Core) -> None:
        self.core = core

    def job_handlers(self) -> dict[str, Callable[[DueJob], Awaitable[dict[str, Any] | None]]]:
        return {AWARENESS_FAN_OUT: self._fan_out}

    def _today(self, organisation: Organisation) -> date:
        return self.core.clock().astimezone(ZoneInfo(organisation.time_zone)).date()

    async def peers_line(self, person: Person, locale: str) -> str | None:
        """The roster as a group, for the home view and the Teams welcome."""
        async with self.core.database.reader() as session:
            organisation = await find_organisation(session, person.platform, person.tenant_id)
            if organisation is None:
                return None
            peers = await roster_size(session, organisation, self._today(organisation))
        return awareness_messages.peers_line(locale, peers)

    async def introduce(self, person: Person) -> bool:
        """A new member of the workspace (Slack's team_join): introduced once, in their
        language, if the organisation turned it on."""
        now = self.core.clock()
        async with self.core.changing() as session:
            organisation = await find_organisation(session, person.platform, person.tenant_id)
            if organisation is None or not organisation.welcome_new_staff:
                return False
            identity = await identity_for(session, organisation, person)
            peers = await roster_size(session, organisation, self._today(organisation))
            message = awareness_messages.introduction(
                locale_of(identity, organisation), person.platform, peers
            )
            await deliver(session, to=identity, message=message, key=f"intro:{identity.id}",
                          now=now)  # fmt: skip
        return True

    async def welcome_installer(self, person: Person) -> None:
        """The person who installed the app: what to do next, once."""
        now = self.core.clock()
        async with self.core.changing() as session:
            organisation = await organisation_for(
                session, person.platform, person.tenant_id, self.core.defaults
            )
            identity = await identity_for(session, organisation, person)
            message = awareness_messages.next_steps(
                locale_of(identity, organisation), person.platform
            )
            await deliver(session, to=identity, message=message,
                          key=f"installed:{person.platform}:{person.tenant_id}:{identity.id}",
                          now=now)  # fmt: skip

    async def first_contact(self, person: Person, locale: str) -> list[Message]:
        """What a person adding the app in Teams is told besides the welcome: the next steps,
        when nobody coordinates a programme there yet (they are likely setting it up)."""
        async with self.core.database.reader() as session:
            organisation = await find_organisation(session, person.platform, person.tenant_id)
            coordinators = 0
            if organisation is not None:
                coordinators = int(
                    await session.scalar(
                        select(func.count())
                        .select_from(Peer)
                        .where(
                            Peer.organisation_id == organisation.id,
                            Peer.tier == Tier.COORDINATOR.value,
                            Peer.active.is_(True),
                        )
                    )
                    or 0
                )
        if coordinators:
            return []
        return [awareness_messages.next_steps(locale, person.platform)]

    async def stop(self, person: Person) -> Message:
        async with self.core.changing() as session:
            organisation = await organisation_for(
                session, person.platform, person.tenant_id, self.core.defaults
            )
            identity = await identity_for(session, organisation, person)
            identity.awareness_opt_out = True
            locale = locale_of(identity, organisation)
        return notices.notice(locale, "awareness.stopped")

    async def send_due_reminders(self) -> int:
        """The periodic tick: in a reminder week, at the pulse's weekday and local time, queue
        the round once (its key is unique, so several workers queue it once)."""
        now = self.core.clock()
        queued = 0
        async with self.core.database.session() as session:
            organisations = list(
                await session.scalars(
                    select(Organisation).where(Organisation.awareness_every_weeks > 0)
                )
            )
        for organisation in organisations:
            week_of = week_start(now, ZoneInfo(organisation.time_zone))
            starts = opening_time(organisation, week_of)
            if (
                not reminder_week(organisation, week_of)
                or not starts <= now < starts + SENDING_WINDOW
            ):
                continue
            key = f"{AWARENESS_FAN_OUT}:{organisation.id}:{week_of.isoformat()}"
            async with self.core.changing() as session:
                if await session.scalar(select(DueJob.id).where(DueJob.idempotency_key == key)):
                    continue
                await enqueue(
                    session,
                    kind=AWARENESS_FAN_OUT,
                    key=key,
                    run_at=now,
                    organisation_id=organisation.id,
                    payload={"organisation_id": organisation.id, "week_of": week_of.isoformat()},
                )
            queued += 1
        return queued

    async def _fan_out(self, job: DueJob) -> dict[str, Any]:
        """One reminder per person the bot knows here, except those who said stop; each its
        own delivery job, spaced to the platform's pace (a restart resumes where it stopped)."""
        now = self.core.clock()
        sent: dict[tuple[str, str], int] = {}
        async with self.core.changing() as session:
            organisation = await session.get(Organisation, job.payload["organisation_id"])
            if organisation is None or organisation.awareness_every_weeks <= 0:
                return {"skipped": "reminders turned off"}
            peers = await roster_size(session, organisation, self._today(organisation))
            people = await session.scalars(
                select(ChatIdentity)
                .where(
                    ChatIdentity.organisation_id == organisation.id,
                    ChatIdentity.awareness_opt_out.is_(False),
                )
                .order_by(ChatIdentity.id)
            )
            for identity in people:
                workspace = (identity.platform, identity.tenant_id)
                position = sent.get(workspace, 0)
                sent[workspace] = position + 1
                pace = PACE_PER_SECOND.get(identity.platform, 1.0)
                message = awareness_messages.reminder(
                    locale_of(identity, organisation), identity.platform, peers
                )
                await deliver(
                    session,
                    to=identity,
                    message=message,
                    key=f"awareness:{job.payload['week_of']}:{identity.id}",
                    now=now + timedelta(seconds=position / pace),
                )
        return {"queued": sum(sent.values())}
