"""The periods a report is made of: whole local weeks (Monday to Sunday) or calendar months in
the organisation's time zone, and where a day or a moment falls among them."""

from __future__ import annotations

import bisect
import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class Period(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Calendar:
    """The report's periods as their first days: one before the report (for the first pulse
    trend), each reported period, and the one after (where the last period ends)."""

    zone: ZoneInfo
    bounds: list[date]

    @classmethod
    def covering(cls, start: date, end: date, kind: Period, zone: ZoneInfo) -> Calendar:
        starts = period_starts(start, end, kind)
        return cls(
            zone, [add_periods(starts[0], kind, -1), *starts, add_periods(starts[-1], kind, 1)]
        )

    def slot(self, moment: date | datetime) -> int:
        """Index in `bounds` of the period a day or a moment falls in, in local time."""
        day = moment.astimezone(self.zone).date() if isinstance(moment, datetime) else moment
        return bisect.bisect_right(self.bounds, day) - 1

    def midnight(self, index: int) -> datetime:
        return midnight_of(self.bounds[index], self.zone)


def period_starts(start: date, end: date, kind: Period) -> list[date]:
    first = monday(start) if kind is Period.WEEK else start.replace(day=1)
    starts = [first]
    while (following := add_periods(starts[-1], kind, 1)) <= end:
        starts.append(following)
    return starts


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def add_periods(day: date, kind: Period, periods: int) -> date:
    """The start of the period `periods` away from the one starting on `day`."""
    if kind is Period.WEEK:
        return day + timedelta(weeks=periods)
    month = day.year * 12 + day.month - 1 + periods
    return date(month // 12, month % 12 + 1, 1)


def midnight_of(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight at the start of `day`, as the aware datetime the columns compare with."""
    return datetime.combine(day, time(0), tzinfo=zone)
