"""Group support after an event touching many people: the coordinator sets up a session (when,
where, who facilitates: the professional tier or a trained peer); everyone the event reached is
invited with a calendar file and reminded the day before. Attendance is not tracked: the
invitation has no buttons, and nothing records who came."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from babel.dates import format_date
from sqlalchemy import select

from handlers.core.audit import peer_actor, record
from handlers.core.i18n import t
from handlers.core.ids import as_number, epoch_moment
from handlers.core.jobs import enqueue
from handlers.core.outbox import deliver
from handlers.core.people import Person, identity_of, locale_of
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.reach_in import group_messages
from handlers.roster.access import require_coordinator
from handlers.roster.forms import FormInvalid
from models import ChatIdentity, DueJob, GroupSession, Organisation, Peer, ReachInEvent, Tier

GROUP_SESSION = "group_session"
GROUP_REMINDER = "group_reminder"
PLACE_MAX_LENGTH = 300
FACILITATOR_TIERS = (Tier.PROFESSIONAL.value, Tier.PEER.value, Tier.BACKUP.value)
REMIND_BEFORE = timedelta(days=1)
MAX_MINUTES = 8 * 60


@dataclass(frozen=True)
class EventChoice:
    event_id: int
    label: str


@dataclass(frozen=True)
class FacilitatorChoice:
    peer_id: int
    label: str


def _moment(value: object) -> datetime | None:
    """Seconds since the epoch (Slack's date-time picker) or ISO 8601 with its offset."""
    text = str(value or "").strip()
    if text.isdigit():
        return epoch_moment(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


class GroupSessions:
    def __init__(self, core: Core) -> None:
        self.core = core

    def job_handlers(self) -> dict[str, Callable[[DueJob], Awaitable[dict[str, Any] | None]]]:
        return {GROUP_REMINDER: self._remind}

    async def choices(
        self, person: Person, locale: str
    ) -> tuple[list[EventChoice], list[FacilitatorChoice]]:
        """The coordinator's recent events and who may facilitate (NotAllowed for others)."""
        async with self.core.database.reader() as session:
            coordinator = await require_coordinator(session, person)
            events = await session.scalars(
                select(ReachInEvent)
                .where(ReachInEvent.organisation_id == coordinator.organisation_id)
                .order_by(ReachInEvent.occurred_on.desc(), ReachInEvent.id.desc())
                .limit(25)
            )
            event_choices = [
                EventChoice(
                    event.id,
                    t(
                        locale,
                        "group.event_choice",
                        day=format_date(event.occurred_on, "d MMM", locale=locale),
                        category=t(locale, f"category.{event.category}"),
                        reached=event.reached,
                    ),
                )
                for event in events
            ]
            rows = await session.execute(
                select(Peer, ChatIdentity)
                .join(ChatIdentity, ChatIdentity.id == Peer.identity_id)
                .where(
                    Peer.organisation_id == coordinator.organisation_id,
                    Peer.active.is_(True),
                    Peer.tier.in_(FACILITATOR_TIERS),
                )
                .order_by(Peer.tier.desc(), Peer.id)
            )
            facilitators = [
                FacilitatorChoice(
                    peer.id,
                    t(
                        locale,
                        "group.facilitator_choice",
                        name=identity.display_name or identity.user_id,
                        tier=t(locale, f"tier.{peer.tier}"),
                    ),
                )
                for peer, identity in rows
            ]
        return event_choices, facilitators

    async def arrange(self, actor: Person, locale: str, answers: Mapping[str, object]) -> Message:
        """Check the form, store the session and invite everyone the event reached (and the
        facilitator); FormInvalid says what is wrong, beside each field, and changes nothing."""
        now = self.core.clock()
        async with self.core.changing() as session:
            coordinator = await require_coordinator(session, actor)
            organisation = await session.get(Organisation, coordinator.organisation_id)
            assert organisation is not None
            errors: dict[str, str] = {}
            event_id = as_number(answers.get("event"))
            event = await session.get(ReachInEvent, event_id) if event_id is not None else None
            if event is None or event.organisation_id != organisation.id:
                errors["event"] = t(locale, "group.error.event")
            starts_at = _moment(answers.get("starts_at"))
            if starts_at is None or starts_at <= now:
                errors["starts_at"] = t(locale, "group.error.starts_at")
            minutes = as_number(answers.get("minutes") or "60")
            if minutes is None or not 15 <= minutes <= MAX_MINUTES:
                errors["minutes"] = t(locale, "group.error.minutes", most=MAX_MINUTES)
            place = str(answers.get("place") or "").strip()
            if not place or len(place) > PLACE_MAX_LENGTH:
                errors["place"] = t(locale, "group.error.place", limit=PLACE_MAX_LENGTH)
            facilitator_id = as_number(answers.get("facilitator"))
            facilitator = (
                await session.get(Peer, facilitator_id) if facilitator_id is not None else None
            )
            if (
                facilitator is None
                or facilitator.organisation_id != organisation.id
                or not facilitator.active
                or facilitator.tier not in FACILITATOR_TIERS
            ):
                errors["facilitator"] = t(locale, "group.error.facilitator")
            if errors:
                raise FormInvalid(errors)
            assert event is not None and starts_at is not None and facilitator is not None
            group = GroupSession(
                event_id=event.id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=minutes),
                place=place,
                facilitator_peer_id=facilitator.id,
                created_by=peer_actor(coordinator),
                created_at=now,
            )
            session.add(group)
            await session.flush()
            invited = await self._invite(session, organisation, event, group, now, reminder=False)
            remind_at = max(now, starts_at - REMIND_BEFORE)
            await enqueue(session, kind=GROUP_REMINDER, key=f"{GROUP_REMINDER}:{group.id}",
                          run_at=remind_at, organisation_id=organisation.id,
                          payload={"session_id": group.id})  # fmt: skip
            record(
                session,
                organisation_id=organisation.id,
                request_id=None,
                actor=peer_actor(coordinator),
                action="group_session_arranged",
                detail=f"event:{event.id} session:{group.id} invited:{invited}",
                at=now,
            )
            when = group_messages.when(locale, group, organisation.time_zone)
        return group_messages.arranged(locale, invited, when)

    async def _invite(self, session: Any, organisation: Organisation, event: ReachInEvent,
                      group: GroupSession, now: datetime, *, reminder: bool) -> int:  # fmt: skip
        facilitator = (
            await session.get(Peer, group.facilitator_peer_id)
            if group.facilitator_peer_id
            else None
        )
        facilitator_identity = await identity_of(session, facilitator) if facilitator else None
        facilitator_name = (facilitator_identity.display_name or "") if facilitator_identity else ""
        people = [await session.get(ChatIdentity, i) for i in event.recipients or []]
        if facilitator_identity is not None:
            people.append(facilitator_identity)
        invited = 0
        for identity in dict.fromkeys(p for p in people if p is not None):
            locale = locale_of(identity, organisation)
            message = group_messages.invitation(
                locale, group, event.occurred_on, organisation.time_zone, facilitator_name,
                reminder=reminder, facilitating=identity is facilitator_identity,
                platform=identity.platform,
            )  # fmt: skip
            kind = "reminder" if reminder else "invite"
            await deliver(session, to=identity, message=message,
                          key=f"group:{group.id}:{kind}:{identity.id}", now=now)  # fmt: skip
            invited += 1
        return invited

    async def _remind(self, job: DueJob) -> dict[str, Any]:
        now = self.core.clock()
        async with self.core.changing() as session:
            group = await session.get(GroupSession, job.payload["session_id"])
            if group is None or group.starts_at <= now:
                return {"skipped": "over"}
            event = await session.get(ReachInEvent, group.event_id)
            organisation = await session.get(Organisation, job.organisation_id)
            if event is None or organisation is None:
                return {"skipped": "gone"}
            return {"reminded": await self._invite(session, organisation, event, group, now,
                                                   reminder=True)}  # fmt: skip
