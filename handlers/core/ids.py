"""Numbers read from what a person sends, or a forged request: ids, counts and timestamps as the
database and the clock can hold them. `str.isdigit` alone accepts "²" and 10**30, which `int`,
the database or `datetime` then refuse with an exception instead of an answer."""

from __future__ import annotations

from datetime import UTC, datetime

LONGEST = 18  # digits: every id and count fits a 64-bit database integer


def as_number(value: object) -> int | None:
    """A whole number of ASCII digits that a database integer holds, or None."""
    text = str(value if value is not None else "").strip()
    if text.isascii() and text.isdigit() and len(text) <= LONGEST:
        return int(text)
    return None


def epoch_moment(value: object) -> datetime | None:
    """Seconds since the epoch (what date-time pickers send), or None if it is not a time the
    clock can show."""
    seconds = as_number(value)
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
