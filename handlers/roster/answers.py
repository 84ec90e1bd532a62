"""A roster form's answers as one typed object, whichever platform they came from.

Slack and Teams shape the same forms differently: a multi-select is a list on Slack and a
comma-joined string on Teams; a moment is one date-time value on Slack (seconds since the
epoch) and a date and a time of day on Teams (`starts_at_date`, `starts_at_time`, in the
organisation's time zone); Teams names the rotation's tier `rotation_tier`, beside the peer's
`tier` on the same card. `read_form` resolves every difference, here and only here; the
adapters hand it what their form held, and the person picked (`who`), which each platform
finds its own way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from handlers.core.people import Person
from handlers.roster.forms import local_moment

ADD_PEER = "add_peer"
REMOVE_PEER = "remove_peer"
ADD_ROTATION = "add_rotation"
ADD_OVERRIDE = "add_override"
FORMS = (ADD_PEER, REMOVE_PEER, ADD_ROTATION, ADD_OVERRIDE)


@dataclass(frozen=True)
class AddPeerForm:
    who: Person | None  # None: nobody was picked
    tier: str | None
    unit: str | None
    languages: tuple[str, ...]
    cap: str | None
    trained_until: str | None


@dataclass(frozen=True)
class RemovePeerForm:
    peer: str | None


@dataclass(frozen=True)
class RotationForm:
    name: str | None
    tier: str | None
    peers: tuple[str, ...]  # in turn order
    starts_on: str | None
    handoff: str | None
    hours: str | None


@dataclass(frozen=True)
class OverrideForm:
    peer: str | None
    starts_at: str | None  # seconds since the epoch, or ISO 8601 with its offset
    ends_at: str | None


RosterForm = AddPeerForm | RemovePeerForm | RotationForm | OverrideForm


def _text(answers: Mapping[str, object], field: str) -> str | None:
    value = answers.get(field)
    if value is None or isinstance(value, list):
        return None
    return str(value).strip() or None


def _list(answers: Mapping[str, object], field: str) -> tuple[str, ...]:
    value = answers.get(field)
    items = value if isinstance(value, list) else str(value or "").split(",")
    return tuple(str(item).strip() for item in items if str(item).strip())


def _moment(answers: Mapping[str, object], field: str, zone: str) -> str | None:
    if f"{field}_date" in answers or f"{field}_time" in answers:
        return local_moment(_text(answers, f"{field}_date"), _text(answers, f"{field}_time"), zone)
    return _text(answers, field)


def read_form(
    kind: str, answers: Mapping[str, object], *, zone: str, who: Person | None = None
) -> RosterForm:
    """The typed form `kind` (one of FORMS) from a platform's answers; `zone` is the
    organisation's time zone, in which a date and a time of day are meant."""
    if kind == ADD_PEER:
        return AddPeerForm(
            who=who,
            tier=_text(answers, "tier"),
            unit=_text(answers, "unit"),
            languages=_list(answers, "languages"),
            cap=_text(answers, "cap"),
            trained_until=_text(answers, "trained_until"),
        )
    if kind == REMOVE_PEER:
        return RemovePeerForm(peer=_text(answers, "peer"))
    if kind == ADD_ROTATION:
        return RotationForm(
            name=_text(answers, "name"),
            tier=_text(answers, "rotation_tier") or _text(answers, "tier"),
            peers=_list(answers, "peers"),
            starts_on=_text(answers, "starts_on"),
            handoff=_text(answers, "handoff"),
            hours=_text(answers, "hours"),
        )
    if kind == ADD_OVERRIDE:
        return OverrideForm(
            peer=_text(answers, "peer"),
            starts_at=_moment(answers, "starts_at", zone),
            ends_at=_moment(answers, "ends_at", zone),
        )
    raise ValueError(f"unknown roster form {kind!r}")
