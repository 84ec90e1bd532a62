"""Calendar arithmetic in an organisation's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.units import format_unit


def week_start(moment: datetime, zone: ZoneInfo) -> date:
    """Monday of the local week `moment` falls in (answers keep only this as their time)."""
    local = moment.astimezone(zone).date()
    return local - timedelta(days=local.weekday())


def duration(locale: str, minutes: int) -> str:
    """`minutes` as people say it, exactly: "10 minutes", "1 hour", "24 hours", "90 minutos"."""
    if minutes and minutes % 60 == 0:
        return format_unit(minutes // 60, "duration-hour", length="long", locale=locale)
    return format_unit(minutes, "duration-minute", length="long", locale=locale)
