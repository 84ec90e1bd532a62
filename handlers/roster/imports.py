"""Roster imports: peers from a CSV file, shifts from an iCal feed. A preview unless applied;
audited like every roster change."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from handlers.core.i18n import DEFAULT_LOCALE
from handlers.core.people import Person, find_identity
from handlers.roster.access import audit_change, authorise
from handlers.roster.admin import PeerFields, peer_rows, upsert_peer
from handlers.roster.calendar import calendar_shifts
from handlers.roster.forms import FormInvalid, peer_fields
from models import (
    Override,
    Peer,
    Tier,
    utcnow,
)
from models.db import Database

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


@dataclass
class ImportReport:
    """What an import would do (or did): additions, updates, and the rows it could not read."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already there as the import says
    errors: list[tuple[int, str]] = field(default_factory=list)
    applied: bool = False


class RosterImports:
    def __init__(self, database: Database, clock: Any = utcnow) -> None:
        self.database = database
        self.clock = clock

    async def import_peers_csv(
        self,
        actor: Person | None,
        organisation_id: int,
        text: str,
        *,
        apply: bool,
        partial: bool = False,
    ) -> ImportReport:
        """Peers from CSV with the columns in CSV_COLUMNS, each row checked as the chat form
        checks a peer. Without `apply`, only a preview; with it, all or nothing: a file with a
        bad row changes nothing, unless `partial` applies the good rows."""
        report = ImportReport()
        rows: list[tuple[Person, PeerFields]] = []
        reader = csv.DictReader(io.StringIO(text))
        missing = [column for column in CSV_COLUMNS[:3] if column not in (reader.fieldnames or [])]
        if missing:
            report.errors.append((1, f"missing column(s): {', '.join(missing)}"))
            return report
        today = self.clock().date()
        for line, row in enumerate(reader, start=2):
            try:
                rows.append(_peer_from_row(row, today))
            except ValueError as exc:
                report.errors.append((line, str(exc)))
        apply = apply and (partial or not report.errors)
        async with self.database.session() as session, session.begin():
            organisation, who = await authorise(session, organisation_id, actor)
            for person, fields in rows:
                known = await find_identity(session, person)
                is_peer = known is not None and await session.scalar(
                    select(Peer.id).where(Peer.identity_id == known.id)
                )
                label = person.display_name or person.user_id
                (report.updated if is_peer else report.added).append(label)
                if apply:
                    await upsert_peer(session, organisation, person, fields)
            if apply:
                report.applied = True
                counts = f"{len(report.added)} added, {len(report.updated)} updated"
                audit_change(self.clock(), session, organisation, who, "peers_imported", counts)
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
            organisation, who = await authorise(session, organisation_id, actor)
            named = [
                (peer.id, identity.display_name)
                for peer, identity in await peer_rows(session, organisation)
                if identity.display_name
            ]
            names = {name.casefold(): peer_id for peer_id, name in named}
            shown = {name.casefold(): name for _, name in named}
            zone = ZoneInfo(organisation.time_zone)
            try:
                shifts, errors = calendar_shifts(data, names, zone, start, end)
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
                label = (  # as the roster names them, in the organisation's local time
                    f"{shown.get(shift.name, shift.name)}: "
                    f"{shift.starts_at.astimezone(zone):%Y-%m-%d %H:%M} to "
                    f"{shift.ends_at.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"
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
                audit_change(
                    self.clock(),
                    session,
                    organisation,
                    who,
                    "rotation_imported",
                    f"{len(report.added)} shifts",
                )
        return report


def _peer_from_row(row: dict[str, str | None], today: date) -> tuple[Person, PeerFields]:
    """A CSV row as a peer, checked by the rules of the chat form (ValueError says what)."""

    def value(name: str) -> str:
        return (row.get(name) or "").strip()

    platform = value("platform").lower()
    if platform not in ("slack", "teams"):
        raise ValueError(f"platform must be slack or teams, not {value('platform')!r}")
    if not value("tenant") or not value("user_id"):
        raise ValueError("tenant and user_id are required")
    try:
        fields = peer_fields(
            DEFAULT_LOCALE,
            today,
            tier=value("tier").lower() or Tier.PEER.value,
            unit=value("unit") or None,
            languages=[
                lang.strip().lower() for lang in value("languages").split(";") if lang.strip()
            ]
            or ["en"],
            cap=value("cap") or "2",
            trained_until=value("trained_until") or None,
        )
    except FormInvalid as exc:
        raise ValueError(
            "; ".join(f"{column}: {message}" for column, message in exc.errors.items())
        ) from None
    person = Person(
        platform=platform,
        tenant_id=value("tenant"),
        user_id=value("user_id"),
        display_name=value("name") or None,
    )
    return person, fields
