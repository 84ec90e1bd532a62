"""The coordinator's roster forms as plain answers in, checked values out.

Adapters pass what the form held (strings, as the platform gave them); anything wrong comes back
as `FormInvalid` with one message per field, in the coordinator's language, for the adapter to
show beside that field. Nothing is changed until every field is right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from handlers.core.i18n import t
from handlers.core.ids import as_number, epoch_moment
from handlers.core.languages import Language
from handlers.roster.admin import PeerFields
from models import Tier

MAX_CASELOAD_CAP = 20
UNIT_MAX_LENGTH = 100
ROTATION_NAME_MAX_LENGTH = 80
MAX_SHIFT_HOURS = 24 * 14


class FormInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


@dataclass(frozen=True)
class OverrideAnswers:
    peer_id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class RotationAnswers:
    name: str
    tier: Tier
    peer_ids: list[int]  # in turn order
    starts_on: date
    handoff_time: time
    shift_hours: int


def rotation_answers(
    locale: str,
    *,
    name: str | None,
    tier: str | None,
    peers: list[str],
    starts_on: str | None,
    handoff: str | None,
    hours: str | None,
) -> RotationAnswers:
    """A rotation: its name, tier, members in turn order, first day, handoff time and shift
    length, checked."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name or len(name) > ROTATION_NAME_MAX_LENGTH:
        errors["name"] = t(locale, "admin.error.name", length=ROTATION_NAME_MAX_LENGTH)
    try:
        chosen_tier = Tier(tier or Tier.PEER.value)
    except ValueError:
        errors["tier"] = t(locale, "admin.error.tier")
        chosen_tier = Tier.PEER
    peer_ids = [peer_id for peer in peers if (peer_id := _int(peer)) is not None]
    if not peer_ids or len(peer_ids) != len(peers) or len(set(peer_ids)) != len(peer_ids):
        errors["peers"] = t(locale, "admin.error.peers")
    first_day = _date(starts_on or "")
    if first_day is None:
        errors["starts_on"] = t(locale, "admin.error.date")
    try:
        handoff_time = time.fromisoformat((handoff or "").strip())
    except ValueError:
        errors["handoff"] = t(locale, "admin.error.time")
        handoff_time = time()
    shift_hours = _int(hours)
    if shift_hours is None or not 1 <= shift_hours <= MAX_SHIFT_HOURS:
        errors["hours"] = t(locale, "admin.error.hours", most=MAX_SHIFT_HOURS)
    if errors:
        raise FormInvalid(errors)
    assert first_day is not None and shift_hours is not None
    return RotationAnswers(name, chosen_tier, peer_ids, first_day, handoff_time, shift_hours)


def peer_fields(
    locale: str,
    today: date,
    *,
    tier: str | None,
    unit: str | None,
    languages: list[str],
    cap: str | None,
    trained_until: str | None,
) -> PeerFields:
    """A peer's tier, unit, languages, caseload cap and training date, checked."""
    errors: dict[str, str] = {}
    try:
        chosen_tier = Tier(tier or Tier.PEER.value)
    except ValueError:
        errors["tier"] = t(locale, "admin.error.tier")
        chosen_tier = Tier.PEER
    spoken = {language.value for language in Language}
    if not languages or not set(languages) <= spoken:
        errors["languages"] = t(locale, "admin.error.languages")
    unit = (unit or "").strip() or None
    if unit is not None and len(unit) > UNIT_MAX_LENGTH:
        errors["unit"] = t(locale, "admin.error.unit", length=UNIT_MAX_LENGTH)
    caseload_cap = _int(cap)
    if caseload_cap is None or not 1 <= caseload_cap <= MAX_CASELOAD_CAP:
        errors["cap"] = t(locale, "admin.error.cap", most=MAX_CASELOAD_CAP)
    valid_until = _date(trained_until) if trained_until else None
    if trained_until and (valid_until is None or valid_until < today):
        errors["trained_until"] = t(locale, "admin.error.trained_until")
    if errors:
        raise FormInvalid(errors)
    assert caseload_cap is not None
    return PeerFields(
        tier=chosen_tier,
        unit=unit,
        languages=tuple(languages),
        caseload_cap=caseload_cap,
        training_valid_until=valid_until,
    )


def override_answers(
    locale: str, now: datetime, *, peer: str | None, starts_at: str | None, ends_at: str | None
) -> OverrideAnswers:
    """Who covers, from when, until when: the end after the start, and not already past."""
    errors: dict[str, str] = {}
    peer_id = _int(peer)
    if peer_id is None:
        errors["peer"] = t(locale, "admin.error.peer")
    start, end = _moment(starts_at), _moment(ends_at)
    if start is None:
        errors["starts_at"] = t(locale, "admin.error.moment")
    if end is None:
        errors["ends_at"] = t(locale, "admin.error.moment")
    elif start is not None and end <= start:
        errors["ends_at"] = t(locale, "admin.error.ends_before")
    elif end <= now:
        errors["ends_at"] = t(locale, "admin.error.ends_past")
    if errors:
        raise FormInvalid(errors)
    assert peer_id is not None and start is not None and end is not None
    return OverrideAnswers(peer_id, start, end)


def local_moment(day: str | None, clock: str | None, zone: str) -> str | None:
    """A date and a time of day in the organisation's time zone (what separate date and time
    inputs give) as ISO 8601 with its offset, for `override_answers`; None if either is
    missing or malformed, which that then reports beside the field."""
    try:
        moment = datetime.combine(
            date.fromisoformat((day or "").strip()),
            time.fromisoformat((clock or "").strip()),
            ZoneInfo(zone),
        )
    except ValueError:
        return None
    return moment.isoformat()


def chosen_peer(locale: str, peer: str | None) -> int:
    peer_id = _int(peer)
    if peer_id is None:
        raise FormInvalid({"peer": t(locale, "admin.error.peer")})
    return peer_id


def _int(value: str | None) -> int | None:
    return as_number(value)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _moment(value: str | None) -> datetime | None:
    """A moment as seconds since the epoch (what date-time pickers give) or ISO 8601 with an
    offset; a time without an offset is refused rather than guessed."""
    text = (value or "").strip()
    if text.isdigit():
        return epoch_moment(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None
