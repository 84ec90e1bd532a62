"""What group support says: the invitation (and its reminder) with the session's calendar
file, and the coordinator's confirmation. No buttons: attendance is not tracked."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import icalendar
from babel.dates import format_date, format_datetime

from handlers.core.i18n import t
from handlers.core.ports import Attachment, Message
from models import GroupSession


def when(locale: str, group: GroupSession, zone: str) -> str:
    tz = ZoneInfo(zone)
    start = format_datetime(group.starts_at, "EEEE d MMMM, HH:mm", tzinfo=tz, locale=locale)
    end = format_datetime(group.ends_at, "HH:mm", tzinfo=tz, locale=locale)
    return f"{start}–{end} ({zone})"


def calendar_file(locale: str, group: GroupSession) -> Attachment:
    """The session as an .ics event (icalendar), for the recipient's own calendar."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//peer-support//group session//EN")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", f"group-session-{group.id}@peer-support")
    event.add("dtstamp", group.created_at)
    event.add("dtstart", group.starts_at)
    event.add("dtend", group.ends_at)
    event.add("summary", t(locale, "group.calendar.summary"))
    event.add("location", group.place)
    calendar.add_component(event)
    return Attachment(
        filename="group-session.ics",
        content_type="text/calendar",
        content=calendar.to_ical().decode(),
        label=t(locale, "group.calendar.add"),
    )


def invitation(
    locale: str,
    group: GroupSession,
    occurred_on: date,
    zone: str,
    facilitator: str,
    *,
    reminder: bool,
    facilitating: bool,
    platform: str,
) -> Message:
    """The invitation; `platform` says how the calendar entry comes with it (Slack: a file
    beside the message; Teams: a button that opens it in the person's calendar)."""
    day = format_date(occurred_on, "d MMMM", locale=locale)
    title = "group.reminder.title" if reminder else "group.invite.title"
    lead = "group.invite.facilitating" if facilitating else "group.invite.lead"
    lines = [t(locale, lead, day=day)]
    fields = [
        (t(locale, "group.field.when"), when(locale, group, zone)),
        (t(locale, "group.field.where"), group.place),
    ]
    if facilitator:
        fields.append((t(locale, "group.field.facilitator"), facilitator))
    calendar = "group.invite.calendar_teams" if platform == "teams" else "group.invite.calendar"
    return Message(
        kind="group.invite",
        title=t(locale, title),
        lines=lines + [t(locale, "group.invite.free")],
        fields=fields,
        footer=t(locale, calendar),
        attachment=calendar_file(locale, group),
    )


def arranged(locale: str, invited: int, moment: str) -> Message:
    return Message(
        kind="group.arranged",
        title=t(locale, "group.arranged.title"),
        lines=[t(locale, "group.arranged", count=invited, when=moment)],
    )
