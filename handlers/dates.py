"""Calendar arithmetic in an organisation's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def week_start(moment: datetime, zone: ZoneInfo) -> date:
    """Monday of the local week `moment` falls in (answers keep only this as their time)."""
    local = moment.astimezone(zone).date()
    return local - timedelta(days=local.weekday())
