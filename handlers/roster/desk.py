"""Roster changes a coordinator makes in chat: add or remove a peer, add a rotation or an override,
see who is on call for the next two weeks.

The role check and the audit trail are RosterAdmin's, the same as on the command line: anyone who
is not an active coordinator gets `NotAllowed` (and a polite refusal from `refusal`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from handlers.core import notices
from handlers.core.i18n import t
from handlers.core.people import Person
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.roster.access import require_coordinator
from handlers.roster.admin import RosterAdmin
from handlers.roster.answers import (
    AddPeerForm,
    OverrideForm,
    RemovePeerForm,
    RotationForm,
    read_form,
)
from handlers.roster.forms import (
    FormInvalid,
    chosen_peer,
    override_answers,
    peer_fields,
    rotation_answers,
)
from handlers.roster.schedule import on_call_schedule, spans
from models import Organisation, Tier

SCHEDULE_AHEAD = timedelta(days=14)
MAX_SCHEDULE_ROWS = 25


@dataclass(frozen=True)
class RosterEntry:
    peer_id: int
    name: str
    tier: str


def refusal(locale: str) -> Message:
    return notices.notice(locale, "admin.refused", kind="admin.refused")


class RosterDesk:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.admin = RosterAdmin(core.database, clock=lambda: core.clock())

    async def organisation_of(self, person: Person) -> int:
        """The organisation `person` coordinates; NotAllowed for anyone else."""
        async with self.core.database.reader() as session:
            return (await require_coordinator(session, person)).organisation_id

    async def roster(self, person: Person) -> list[RosterEntry]:
        """Everyone active on the roster, for a coordinator to choose from."""
        organisation_id = await self.organisation_of(person)
        return [
            RosterEntry(peer.id, identity.display_name or identity.user_id, peer.tier)
            for peer, identity in await self.admin.peers(organisation_id)
        ]

    async def find(self, person: Person, query: str, limit: int) -> list[RosterEntry]:
        """Up to `limit` people on the roster whose name holds `query` (any case, any place),
        in roster order: what a picker shows as a coordinator types, for a roster too long to
        list whole. The same role check as `roster`."""
        wanted = " ".join(query.split()).casefold()
        found = [entry for entry in await self.roster(person) if wanted in entry.name.casefold()]
        return found[:limit]

    async def schedule(self, person: Person, locale: str) -> Message:
        """Who is on call for the next two weeks, each stretch once, in local time; a peer who
        switched themselves to unavailable is shown so (requests skip them)."""
        organisation_id = await self.organisation_of(person)
        now = self.core.clock()
        names = {entry.peer_id: entry.name for entry in await self.roster(person)}
        unavailable = {
            peer.id for peer, _ in await self.admin.peers(organisation_id) if not peer.available
        }
        async with self.core.database.session() as session:
            organisation = await session.get(Organisation, organisation_id)
            assert organisation is not None
            entries = spans(
                await on_call_schedule(session, organisation, now, now + SCHEDULE_AHEAD)
            )
        zone = ZoneInfo(organisation.time_zone)

        def when(moment: datetime) -> str:
            return format_datetime(moment, "EEE d MMM, HH:mm", tzinfo=zone, locale=locale)

        lines = [
            t(
                locale,
                "admin.schedule.entry_unavailable"
                if entry.peer_id in unavailable
                else "admin.schedule.entry",
                start=t(locale, "admin.schedule.now")
                if entry.starts_at <= now
                else when(entry.starts_at),
                end=when(entry.ends_at) if entry.ends_at < now + SCHEDULE_AHEAD else "…",
                name=names.get(entry.peer_id, "?"),
                tier=t(locale, f"tier.{entry.tier}"),
            )
            for entry in entries
        ]
        if len(lines) > MAX_SCHEDULE_ROWS:
            more = len(lines) - MAX_SCHEDULE_ROWS
            lines = [*lines[:MAX_SCHEDULE_ROWS], t(locale, "overview.more", count=more)]
        return Message(
            kind="admin.schedule",
            title=t(locale, "admin.schedule.title"),
            lines=lines or [t(locale, "admin.schedule.none")],
        )

    async def apply(
        self,
        actor: Person,
        locale: str,
        kind: str,
        answers: Mapping[str, object],
        who: Person | None = None,
    ) -> Message:
        """Apply roster form `kind` with the answers a platform's form held (`read_form` reads
        either platform's shape); FormInvalid says what is wrong, beside each field."""
        zone = await self.time_zone(actor)
        form = read_form(kind, answers, zone=zone, who=who)
        if isinstance(form, AddPeerForm):
            return await self.add_peer(actor, locale, form)
        if isinstance(form, RemovePeerForm):
            return await self.remove_peer(actor, locale, form)
        if isinstance(form, RotationForm):
            return await self.add_rotation(actor, locale, form)
        return await self.add_override(actor, locale, form)

    async def add_peer(self, actor: Person, locale: str, form: AddPeerForm) -> Message:
        organisation_id = await self.organisation_of(actor)
        today = await self._today(organisation_id)
        errors: dict[str, str] = {}
        if form.who is None:
            errors["user"] = t(locale, "admin.error.user")
        try:
            fields = peer_fields(
                locale,
                today,
                tier=form.tier,
                unit=form.unit,
                languages=list(form.languages),
                cap=form.cap,
                trained_until=form.trained_until,
            )
        except FormInvalid as exc:
            errors.update(exc.errors)
        if errors:
            raise FormInvalid(errors)
        assert form.who is not None
        peer_id = await self.admin.add_peer(actor, organisation_id, form.who, fields)
        # named as the roster now knows them: a platform may give only an id (a Teams picker)
        entry = await self._entry(actor, locale, peer_id)
        return notices.notice(
            locale,
            "admin.peer_added",
            kind="admin.done",
            name=entry.name,
            tier=t(locale, f"tier.{fields.tier.value}"),
        )

    async def remove_peer(self, actor: Person, locale: str, form: RemovePeerForm) -> Message:
        organisation_id = await self.organisation_of(actor)
        peer_id = chosen_peer(locale, form.peer)
        entry = await self._entry(actor, locale, peer_id)
        await self.admin.remove_peer(actor, organisation_id, peer_id)
        return notices.notice(locale, "admin.peer_removed", kind="admin.done", name=entry.name)

    async def add_override(self, actor: Person, locale: str, form: OverrideForm) -> Message:
        organisation_id = await self.organisation_of(actor)
        answers = override_answers(
            locale,
            self.core.clock(),
            peer=form.peer,
            starts_at=form.starts_at,
            ends_at=form.ends_at,
        )
        entry = await self._entry(actor, locale, answers.peer_id)
        await self.admin.add_override(
            actor,
            organisation_id,
            peer_id=entry.peer_id,
            tier=Tier(entry.tier),
            starts_at=answers.starts_at,
            ends_at=answers.ends_at,
        )
        return notices.notice(locale, "admin.override_added", kind="admin.done", name=entry.name)

    async def add_rotation(self, actor: Person, locale: str, form: RotationForm) -> Message:
        """A rotation: its members take turns, one shift each, from the first day's handoff
        (in the organisation's time zone)."""
        organisation_id = await self.organisation_of(actor)
        answers = rotation_answers(
            locale,
            name=form.name,
            tier=form.tier,
            peers=list(form.peers),
            starts_on=form.starts_on,
            handoff=form.handoff,
            hours=form.hours,
        )
        members = [
            await self._entry(actor, locale, peer_id, "peers") for peer_id in answers.peer_ids
        ]
        await self.admin.add_rotation(
            actor,
            organisation_id,
            name=answers.name,
            tier=answers.tier,
            starts_on=answers.starts_on,
            handoff_time=answers.handoff_time,
            shift_hours=answers.shift_hours,
            peer_ids=answers.peer_ids,
        )
        return notices.notice(
            locale,
            "admin.rotation_added",
            kind="admin.done",
            name=answers.name,
            members=", ".join(member.name for member in members),
            hours=answers.shift_hours,
        )

    async def time_zone(self, person: Person) -> str:
        """The time zone of the organisation `person` coordinates, in which a form's dates and
        times are meant; NotAllowed for anyone else."""
        return await self._time_zone(await self.organisation_of(person))

    async def _time_zone(self, organisation_id: int) -> str:
        async with self.core.database.session() as session:
            organisation = await session.get(Organisation, organisation_id)
            assert organisation is not None
            return organisation.time_zone

    async def _today(self, organisation_id: int) -> date:
        zone = ZoneInfo(await self._time_zone(organisation_id))
        return self.core.clock().astimezone(zone).date()

    async def _entry(
        self, actor: Person, locale: str, peer_id: int, field: str = "peer"
    ) -> RosterEntry:
        """The roster's entry for `peer_id`; a form error on `field` if it is not (or no
        longer) on the coordinator's roster."""
        for entry in await self.roster(actor):
            if entry.peer_id == peer_id:
                return entry
        raise FormInvalid({field: t(locale, f"admin.error.{field}")})
