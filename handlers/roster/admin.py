"""Roster administration: peers, rotations, overrides, imports. Coordinators and admins only.

Every change is audited. A chat user must be an active coordinator of the organisation; the
command line is the operator (an admin of the installation) and is audited as `admin:cli`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.audit import peer_actor, record
from handlers.core.people import Person, find_identity, identity_for
from handlers.roster.calendar import calendar_shifts
from handlers.roster.on_call import Shift, coming_shifts
from handlers.safety.risk import clean_phrase, normal
from models import (
    ChatIdentity,
    Organisation,
    Override,
    Peer,
    Rotation,
    RotationMember,
    Tier,
    Workspace,
    utcnow,
)
from models.db import Database

CLI_ACTOR = "admin:cli"
CSV_COLUMNS = (
    "platform",
    "tenant",
    "user_id",
    "name",
    "tier",
    "unit",
    "languages",
    "cap",
    "trained_until",
)


class NotAllowed(Exception):
    """The person asking is not a coordinator of this organisation."""


class UnknownPeer(Exception):
    """No peer with that id in this organisation."""


@dataclass(frozen=True)
class PeerFields:
    """What a coordinator sets about a peer."""

    tier: Tier = Tier.PEER
    unit: str | None = None
    languages: tuple[str, ...] = ("en",)
    caseload_cap: int = 2
    training_valid_until: date | None = None


@dataclass
class ImportReport:
    """What an import would do (or did): additions, updates, and the rows it could not read."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already there as the import says
    errors: list[tuple[int, str]] = field(default_factory=list)
    applied: bool = False


@dataclass(frozen=True)
class OnCallEntry:
    tier: str
    peer_id: int
    starts_at: datetime
    ends_at: datetime
    source: str  # "rotation" or "override"


async def coordinator_peer(session: AsyncSession, person: Person) -> Peer | None:
    """The person's place on the roster if they are an active coordinator, else None: the one
    role check for every roster change and coordinator view in chat."""
    identity = await find_identity(session, person)
    if identity is None:
        return None
    return await session.scalar(
        select(Peer).where(
            Peer.identity_id == identity.id,
            Peer.organisation_id == identity.organisation_id,
            Peer.tier == Tier.COORDINATOR.value,
            Peer.active.is_(True),
        )
    )


async def require_coordinator(session: AsyncSession, person: Person) -> Peer:
    """`coordinator_peer`, or NotAllowed for anyone who is not an active coordinator."""
    coordinator = await coordinator_peer(session, person)
    if coordinator is None:
        raise NotAllowed()
    return coordinator


async def on_call_schedule(
    session: AsyncSession, organisation: Organisation, start: datetime, end: datetime
) -> list[OnCallEntry]:
    """Who is on call from `start` to `end`: rotation shifts and overrides, in time order."""
    shifts: list[Shift] = await coming_shifts(session, organisation, start, end)
    overrides = await session.scalars(
        select(Override).where(
            Override.organisation_id == organisation.id,
            Override.ends_at > start,
            Override.starts_at < end,
        )
    )
    entries = [
        OnCallEntry(s.tier, s.peer_id, s.starts_at, s.ends_at, "rotation") for s in shifts
    ] + [OnCallEntry(o.tier, o.peer_id, o.starts_at, o.ends_at, "override") for o in overrides]
    return sorted(entries, key=lambda entry: (entry.starts_at, entry.tier, entry.peer_id))


def spans(entries: list[OnCallEntry]) -> list[OnCallEntry]:
    """`entries` (in time order) with back-to-back or overlapping stretches of the same peer in
    the same tier joined: each span is one stretch on call, its start a handoff to them."""
    joined: list[OnCallEntry] = []
    open_span: dict[tuple[str, int], int] = {}  # (tier, peer) -> index of their latest span
    for entry in entries:
        index = open_span.get((entry.tier, entry.peer_id))
        if index is not None and joined[index].ends_at >= entry.starts_at:
            latest = joined[index]
            joined[index] = replace(latest, ends_at=max(latest.ends_at, entry.ends_at))
            continue
        open_span[(entry.tier, entry.peer_id)] = len(joined)
        joined.append(entry)
    return joined


async def own_time_on_call(
    session: AsyncSession, organisation: Organisation, peer: Peer, now: datetime, end: datetime
) -> OnCallEntry | None:
    """The peer's stretch on call that covers `now`, else their next one before `end` (shifts
    an override hands to someone else do not count)."""
    handed_over = list(
        await session.scalars(
            select(Override).where(
                Override.replaces_peer_id == peer.id,
                Override.ends_at > now,
                Override.starts_at < end,
            )
        )
    )
    own = [
        entry
        for entry in await on_call_schedule(session, organisation, now, end)
        if entry.peer_id == peer.id
        and not any(o.starts_at <= max(entry.starts_at, now) < o.ends_at for o in handed_over)
    ]
    stretches = spans(own)
    return stretches[0] if stretches else None


class RosterAdmin:
    def __init__(self, database: Database, clock: Any = utcnow) -> None:
        self.database = database
        self.clock = clock

    async def _authorise(
        self, session: AsyncSession, organisation_id: int, actor: Person | None
    ) -> tuple[Organisation, str]:
        organisation = await session.get(Organisation, organisation_id)
        if organisation is None:
            raise LookupError(f"no organisation {organisation_id}")
        if actor is None:
            return organisation, CLI_ACTOR
        coordinator = await coordinator_peer(session, actor)
        if coordinator is None or coordinator.organisation_id != organisation_id:
            raise NotAllowed()
        return organisation, peer_actor(coordinator)

    def _audit(
        self,
        session: AsyncSession,
        organisation: Organisation,
        actor: str,
        action: str,
        detail: str,
    ) -> None:
        record(
            session,
            organisation_id=organisation.id,
            request_id=None,
            actor=actor,
            action=action,
            detail=detail[:200],
            at=self.clock(),
        )

    # --- organisations ---------------------------------------------------------------------

    async def create_organisation(self, name: str, **settings: Any) -> int:
        async with self.database.session() as session, session.begin():
            organisation = Organisation(name=name, **settings)
            session.add(organisation)
            await session.flush()
            self._audit(session, organisation, CLI_ACTOR, "organisation_created", name)
            return organisation.id

    async def link_workspace(self, organisation_id: int, platform: str, tenant_id: str) -> None:
        """Make a Slack team or Teams tenant part of the organisation (shared roster)."""
        async with self.database.session() as session, session.begin():
            organisation, actor = await self._authorise(session, organisation_id, None)
            workspace = await session.get(Workspace, (platform, tenant_id))
            if workspace is None:
                session.add(
                    Workspace(
                        platform=platform, tenant_id=tenant_id, organisation_id=organisation.id
                    )
                )
            else:
                workspace.organisation_id = organisation.id
            self._audit(session, organisation, actor, "workspace_linked", f"{platform}")

    async def update_settings(
        self, actor: Person | None, organisation_id: int, **settings: Any
    ) -> None:
        async with self.database.session() as session, session.begin():
            organisation, who = await self._authorise(session, organisation_id, actor)
            for name, value in settings.items():
                if not hasattr(Organisation, name) or name in ("id", "created_at"):
                    raise AttributeError(f"unknown organisation setting {name!r}")
                setattr(organisation, name, value)
            self._audit(session, organisation, who, "settings_changed", ",".join(sorted(settings)))

    async def risk_phrases(
        self,
        actor: Person | None,
        organisation_id: int,
        add: tuple[str, ...] = (),
        remove: tuple[str, ...] = (),
    ) -> list[str]:
        """The organisation's own risk phrases after adding and removing some (matched as the
        shipped ones are: case, accents and spacing do not matter); ValueError names a phrase
        that cannot be used or is not there to remove."""
        async with self.database.session() as session, session.begin():
            organisation, who = await self._authorise(session, organisation_id, actor)
            phrases = list(organisation.risk_phrases or [])
            for phrase in remove:
                kept = [old for old in phrases if normal(old) != normal(phrase)]
                if len(kept) == len(phrases):
                    raise ValueError(f"{phrase!r} is not one of the organisation's risk phrases")
                phrases = kept
            for phrase in add:
                cleaned = clean_phrase(phrase)
                if all(normal(old) != normal(cleaned) for old in phrases):
                    phrases.append(cleaned)
            if add or remove:
                organisation.risk_phrases = phrases or None
                self._audit(session, organisation, who, "settings_changed", "risk_phrases")
            return phrases

    # --- peers -----------------------------------------------------------------------------

    async def add_peer(
        self, actor: Person | None, organisation_id: int, person: Person, fields: PeerFields
    ) -> int:
        """Put a person on the roster (or update them if already there); returns the peer id."""
        async with self.database.session() as session, session.begin():
            organisation, who = await self._authorise(session, organisation_id, actor)
            peer, created = await self._upsert_peer(session, organisation, person, fields)
            self._audit(
                session, organisation, who, "peer_added" if created else "peer_updated",
                f"peer:{peer.id}",
            )  # fmt: skip
            return peer.id

    async def _upsert_peer(
        self, session: AsyncSession, organisation: Organisation, person: Person, fields: PeerFields
    ) -> tuple[Peer, bool]:
        identity = await identity_for(session, organisation, person)
        peer = await session.scalar(select(Peer).where(Peer.identity_id == identity.id))
        created = peer is None
        if peer is None:
            peer = Peer(organisation_id=organisation.id, identity_id=identity.id)
            session.add(peer)
        peer.tier = fields.tier.value
        peer.unit = fields.unit
        peer.languages = list(fields.languages)
        peer.caseload_cap = fields.caseload_cap
        peer.training_valid_until = fields.training_valid_until
        peer.active = True
        await session.flush()
        return peer, created

    async def remove_peer(self, actor: Person | None, organisation_id: int, peer_id: int) -> None:
        """Take a peer off the roster: out of every rotation and override, kept for history."""
        async with self.database.session() as session, session.begin():
            organisation, who = await self._authorise(session, organisation_id, actor)
            peer = await self._peer(session, organisation, peer_id)
            peer.active = False
            await session.execute(delete(RotationMember).where(RotationMember.peer_id == peer.id))
            await session.execute(delete(Override).where(Override.peer_id == peer.id))
            self._audit(session, organisation, who, "peer_removed", f"peer:{peer.id}")

    async def _peer(self, session: AsyncSession, organisation: Organisation, peer_id: int) -> Peer:
        peer = await session.get(Peer, peer_id)
        if peer is None or peer.organisation_id != organisation.id:
            raise UnknownPeer(peer_id)
        return peer

    async def peers(self, organisation_id: int) -> list[tuple[Peer, ChatIdentity]]:
        async with self.database.session() as session:
            organisation = await session.get(Organisation, organisation_id)
            if organisation is None:
                raise LookupError(f"no organisation {organisation_id}")
            return await self._peer_rows(session, organisation)

    # --- rotations and overrides -------------------------------------------------------------

    async def add_rotation(
        self,
        actor: Person | None,
        organisation_id: int,
        *,
        name: str,
        tier: Tier,
        starts_on: date,
        handoff_time: time,
        shift_hours: int,
        peer_ids: list[int],
    ) -> int:
        if shift_hours <= 0 or not peer_ids:
            raise ValueError("a rotation needs a positive shift length and at least one member")
        async with self.database.session() as session, session.begin():
            organisation, who = await self._authorise(session, organisation_id, actor)
            for peer_id in peer_ids:
                await self._peer(session, organisation, peer_id)
            rotation = Rotation(
                organisation_id=organisation.id,
                name=name,
                tier=tier.value,
                starts_on=starts_on,
                handoff_time=handoff_time,
                shift_hours=shift_hours,
            )
            rotation.members = [
                RotationMember(position=position, peer_id=peer_id)
                for position, peer_id in enumerate(peer_ids)
            ]
            session.add(rotation)
            await session.flush()
            self._audit(session, organisation, who, "rotation_added", f"rotation:{rotation.id}")
            return rotation.id

    async def add_override(
        self,
        actor: Person | None,
        organisation_id: int,
        *,
        peer_id: int,
        tier: Tier,
        starts_at: datetime,
        ends_at: datetime,
        replaces_peer_id: int | None = None,
    ) -> int:
        if ends_at <= starts_at:
            raise ValueError("an override must end after it starts")
        async with self.database.session() as session, session.begin():
            organisation, who = await self._authorise(session, organisation_id, actor)
            await self._peer(session, organisation, peer_id)
            if replaces_peer_id is not None:
                await self._peer(session, organisation, replaces_peer_id)
            override = Override(
                organisation_id=organisation.id,
                peer_id=peer_id,
                replaces_peer_id=replaces_peer_id,
                tier=tier.value,
                starts_at=starts_at,
                ends_at=ends_at,
            )
            session.add(override)
            await session.flush()
            self._audit(session, organisation, who, "override_added", f"override:{override.id}")
            return override.id

    async def schedule(
        self, organisation_id: int, start: datetime, end: datetime
    ) -> list[OnCallEntry]:
        """Who is on call from `start` to `end`: rotation shifts and overrides, in time order."""
        async with self.database.session() as session:
            organisation = await session.get(Organisation, organisation_id)
            if organisation is None:
                raise LookupError(f"no organisation {organisation_id}")
            return await on_call_schedule(session, organisation, start, end)

    # --- imports -----------------------------------------------------------------------------

    async def import_peers_csv(
        self, actor: Person | None, organisation_id: int, text: str, *, apply: bool
    ) -> ImportReport:
        """Peers from CSV with the columns in CSV_COLUMNS. Without `apply`, only a preview."""
        report = ImportReport()
        rows: list[tuple[Person, PeerFields]] = []
        reader = csv.DictReader(io.StringIO(text))
        missing = [column for column in CSV_COLUMNS[:3] if column not in (reader.fieldnames or [])]
        if missing:
            report.errors.append((1, f"missing column(s): {', '.join(missing)}"))
            return report
        for line, row in enumerate(reader, start=2):
            try:
                rows.append(_peer_from_row(row))
            except ValueError as exc:
                report.errors.append((line, str(exc)))
        async with self.database.session() as session, session.begin():
            organisation, who = await self._authorise(session, organisation_id, actor)
            for person, fields in rows:
                known = await find_identity(session, person)
                is_peer = known is not None and await session.scalar(
                    select(Peer.id).where(Peer.identity_id == known.id)
                )
                label = person.display_name or person.user_id
                (report.updated if is_peer else report.added).append(label)
                if apply:
                    await self._upsert_peer(session, organisation, person, fields)
            if apply:
                report.applied = True
                self._audit(
                    session, organisation, who, "peers_imported",
                    f"{len(report.added)} added, {len(report.updated)} updated",
                )  # fmt: skip
            else:
                await session.rollback()
        return report

    async def import_rotation_ical(
        self,
        actor: Person | None,
        organisation_id: int,
        data: bytes,
        *,
        tier: Tier,
        start: datetime,
        end: datetime,
        apply: bool,
    ) -> ImportReport:
        """Overrides from an iCal feed: each event (recurrences expanded) between `start` and
        `end` puts the peer it names (in its summary or as an attendee) on call for `tier`."""
        report = ImportReport()
        async with self.database.session() as session, session.begin():
            organisation, who = await self._authorise(session, organisation_id, actor)
            names = {
                (identity.display_name or "").casefold(): peer.id
                for peer, identity in await self._peer_rows(session, organisation)
                if identity.display_name
            }
            try:
                shifts, errors = calendar_shifts(
                    data, names, ZoneInfo(organisation.time_zone), start, end
                )
            except ValueError as exc:
                report.errors.append((0, str(exc)))
                return report
            report.errors.extend(errors)
            existing = {
                (override.peer_id, override.starts_at, override.ends_at)
                for override in await session.scalars(
                    select(Override).where(
                        Override.organisation_id == organisation.id,
                        Override.tier == tier.value,
                        Override.ends_at > start,
                        Override.starts_at < end,
                    )
                )
            }
            for shift in shifts:
                label = (
                    f"{shift.name}: {shift.starts_at:%Y-%m-%d %H:%M} to "
                    f"{shift.ends_at:%Y-%m-%d %H:%M} UTC"
                )
                if (shift.peer_id, shift.starts_at, shift.ends_at) in existing:
                    report.unchanged.append(label)  # imported before: the feed read again
                    continue
                report.added.append(label)
                if apply:
                    session.add(
                        Override(
                            organisation_id=organisation.id,
                            peer_id=shift.peer_id,
                            tier=tier.value,
                            starts_at=shift.starts_at,
                            ends_at=shift.ends_at,
                        )
                    )
            if apply:
                report.applied = True
                self._audit(
                    session,
                    organisation,
                    who,
                    "rotation_imported",
                    f"{len(report.added)} shifts",
                )
        return report

    async def _peer_rows(
        self, session: AsyncSession, organisation: Organisation
    ) -> list[tuple[Peer, ChatIdentity]]:
        rows = await session.execute(
            select(Peer, ChatIdentity)
            .join(ChatIdentity, ChatIdentity.id == Peer.identity_id)
            .where(Peer.organisation_id == organisation.id, Peer.active.is_(True))
            .order_by(Peer.tier, Peer.id)
        )
        return [(peer, identity) for peer, identity in rows]


def _peer_from_row(row: dict[str, str | None]) -> tuple[Person, PeerFields]:
    def value(name: str) -> str:
        return (row.get(name) or "").strip()

    platform = value("platform").lower()
    if platform not in ("slack", "teams"):
        raise ValueError(f"platform must be slack or teams, not {value('platform')!r}")
    if not value("tenant") or not value("user_id"):
        raise ValueError("tenant and user_id are required")
    try:
        tier = Tier(value("tier").lower() or "peer")
    except ValueError:
        raise ValueError(f"unknown tier {value('tier')!r}") from None
    try:
        cap = int(value("cap") or 2)
        trained_until = (
            date.fromisoformat(value("trained_until")) if value("trained_until") else None
        )
    except ValueError as exc:
        raise ValueError(f"bad number or date: {exc}") from None
    if cap < 1:
        raise ValueError("cap must be at least 1")
    languages = tuple(
        lang.strip().lower() for lang in value("languages").split(";") if lang.strip()
    )
    person = Person(
        platform=platform,
        tenant_id=value("tenant"),
        user_id=value("user_id"),
        display_name=value("name") or None,
    )
    fields = PeerFields(
        tier=tier,
        unit=value("unit") or None,
        languages=languages or ("en",),
        caseload_cap=cap,
        training_valid_until=trained_until,
    )
    return person, fields
