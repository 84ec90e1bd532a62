"""A calendar file as Teams can offer it: Teams cannot attach a file to a bot's message in a
personal chat without OneDrive consent, so the event opens in Teams' own scheduling dialog
through Microsoft's documented deep link (`/l/meeting/new`), which saves it to the person's
calendar."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import icalendar

from handlers.core.ports import Attachment

CALENDAR = "text/calendar"
SCHEDULING_LINK = "https://teams.microsoft.com/l/meeting/new"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def scheduling_link(attachment: Attachment) -> str | None:
    """The deep link for the first event of an .ics attachment; None if it holds none."""
    calendar = icalendar.Calendar.from_ical(attachment.content)
    event = next(iter(calendar.walk("VEVENT")), None)
    if event is None:
        return None
    query = {
        "subject": str(event.get("summary", "")),
        "startTime": _utc(event.decoded("dtstart")),
        "endTime": _utc(event.decoded("dtend")),
        "content": str(event.get("location", "")),
    }
    return f"{SCHEDULING_LINK}?{urlencode(query)}"


def calendar_action(attachment: Attachment) -> dict[str, Any] | None:
    """An `Action.OpenUrl` standing for a calendar file, or None for any other attachment."""
    if attachment.content_type != CALENDAR or not attachment.label:
        return None
    link = scheduling_link(attachment)
    if link is None:
        return None
    return {"type": "Action.OpenUrl", "title": attachment.label, "url": link}
