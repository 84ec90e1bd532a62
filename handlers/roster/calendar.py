"""Reading on-call shifts from an iCal feed (recurring events expanded)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events


@dataclass(frozen=True)
class CalendarShift:
    peer_id: int
    name: str
    starts_at: datetime
    ends_at: datetime


def _moment(value: date | datetime, zone: ZoneInfo) -> datetime:
    """All-day dates start at local midnight; floating times are the organisation's."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _named_in(event: icalendar.Event) -> list[str]:
    """What an event says about who is on call: its summary and its attendees' names."""
    texts = [str(event.get("SUMMARY", ""))]
    attendees = event.get("ATTENDEE", [])
    for attendee in attendees if isinstance(attendees, list) else [attendees]:
        texts.append(str(getattr(attendee, "params", {}).get("CN", "")))
    return [text.casefold() for text in texts if text]


def calendar_shifts(
    data: bytes, peers_by_name: dict[str, int], zone: ZoneInfo, start: datetime, end: datetime
) -> tuple[list[CalendarShift], list[tuple[int, str]]]:
    """Shifts between `start` and `end`, and (0, reason) for each event naming nobody we know."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise ValueError(f"not an iCal file: {exc}") from None
    shifts: list[CalendarShift] = []
    errors: list[tuple[int, str]] = []
    for event in recurring_ical_events.of(calendar).between(start, end):
        texts = _named_in(event)
        matches = [
            (name, peer_id)
            for name, peer_id in peers_by_name.items()
            if any(re.search(rf"\b{re.escape(name)}\b", text) for text in texts)
        ]
        begins = _moment(event["DTSTART"].dt, zone)
        if "DTEND" in event:
            ends: datetime | None = _moment(event["DTEND"].dt, zone)
        elif "DURATION" in event:  # the other way RFC 5545 gives an event's end
            ends = begins + event["DURATION"].dt
        else:
            ends = None
        summary = str(event.get("SUMMARY", "")) or "(no summary)"
        if ends is None or ends <= begins:
            errors.append((0, f"{summary} on {begins:%Y-%m-%d}: no end time"))
            continue
        if len(matches) != 1:
            reason = "names no peer on the roster" if not matches else "names several peers"
            errors.append((0, f"{summary} on {begins:%Y-%m-%d}: {reason}"))
            continue
        name, peer_id = matches[0]
        shifts.append(CalendarShift(peer_id=peer_id, name=name, starts_at=begins, ends_at=ends))
    return sorted(shifts, key=lambda shift: shift.starts_at), errors
