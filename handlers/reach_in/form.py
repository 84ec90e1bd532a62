"""The coordinator's event form as plain answers in, checked values out (either platform's
shape: a list on Slack, comma-joined on Teams). Anything wrong comes back as `FormInvalid`, one
message per field, and nothing is stored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from handlers.core.i18n import t
from handlers.core.people import Person
from handlers.roster.forms import FormInvalid
from handlers.support.intake import Category

RECORD_EVENT = "record_event"
NOTE_MAX_LENGTH = 1000
UNITS_MAX_LENGTH = 200
MAX_PEOPLE = 200
MAX_AGE = timedelta(days=90)  # reaching in long after an event helps nobody, and surprises


@dataclass(frozen=True)
class EventForm:
    occurred_on: date
    category: Category
    units: tuple[str, ...]
    note: str | None
    people: tuple[Person, ...]


def _text(answers: Mapping[str, object], field: str) -> str:
    value = answers.get(field)
    if isinstance(value, list):
        value = ",".join(str(item) for item in value)
    return str(value or "").strip()


def read_event(
    locale: str, answers: Mapping[str, object], people: Sequence[Person], today: date
) -> EventForm:
    """The event's date (not ahead, not older than 90 days), category, units (comma-separated),
    the coordinator's note and the colleagues picked (at least one), checked."""
    errors: dict[str, str] = {}
    occurred_on = today
    try:
        occurred_on = date.fromisoformat(_text(answers, "occurred_on"))
    except ValueError:
        errors["occurred_on"] = t(locale, "reach_in.error.occurred_on")
    else:
        if occurred_on > today or occurred_on < today - MAX_AGE:
            errors["occurred_on"] = t(locale, "reach_in.error.occurred_on")
    category = Category.OTHER
    try:
        category = Category(_text(answers, "category"))
    except ValueError:
        errors["category"] = t(locale, "reach_in.error.category")
    units_text = _text(answers, "units")
    units = tuple(dict.fromkeys(unit.strip() for unit in units_text.split(",") if unit.strip()))
    if len(units_text) > UNITS_MAX_LENGTH:
        errors["units"] = t(locale, "reach_in.error.units", limit=UNITS_MAX_LENGTH)
    note = _text(answers, "note") or None
    if note is not None and len(note) > NOTE_MAX_LENGTH:
        errors["note"] = t(locale, "reach_in.error.note", limit=NOTE_MAX_LENGTH)
    unique = tuple({(p.platform, p.tenant_id, p.user_id): p for p in people}.values())
    if not unique or len(unique) > MAX_PEOPLE:
        errors["people"] = t(locale, "reach_in.error.people", limit=MAX_PEOPLE)
    if errors:
        raise FormInvalid(errors)
    return EventForm(occurred_on, category, units, note, unique)
