"""What a peer is told about their own time on call: a notice before each stretch starts, the
open requests a handoff hands them, and a weekly note of their coming shifts. Times are in the
organisation's time zone, in which the roster is kept (and which the note names)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from handlers.core.i18n import t
from handlers.core.ports import Message
from handlers.roster.schedule import OnCallEntry


def _when(locale: str, moment: datetime, zone: str) -> str:
    return format_datetime(moment, "EEE d MMM, HH:mm", tzinfo=ZoneInfo(zone), locale=locale)


def starting_soon(locale: str, entry: OnCallEntry, zone: str) -> Message:
    return Message(
        kind="shift.notice",
        title=t(locale, "shift.notice.title"),
        lines=[
            t(
                locale,
                "shift.notice",
                start=_when(locale, entry.starts_at, zone),
                end=_when(locale, entry.ends_at, zone),
                tier=t(locale, f"tier.{entry.tier}"),
            ),
            t(locale, "shift.notice.unavailable"),
        ],
        footer=t(locale, "shift.zone", zone=zone),
    )


def handed_over(locale: str, count: int) -> Message:
    return Message(kind="shift.handed", lines=[t(locale, "shift.handed", count=count)])


def coming_week(locale: str, entries: list[OnCallEntry], zone: str) -> Message:
    return Message(
        kind="shift.week",
        title=t(locale, "shift.week.title"),
        lines=[
            t(
                locale,
                "shift.week.entry",
                start=_when(locale, entry.starts_at, zone),
                end=_when(locale, entry.ends_at, zone),
                tier=t(locale, f"tier.{entry.tier}"),
            )
            for entry in entries
        ],
        footer=t(locale, "shift.zone", zone=zone),
    )
