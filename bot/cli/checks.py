"""Option values checked as the chat forms check them; anything wrong is one line naming the
option and the accepted form (`wrong`), never a traceback."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING, NoReturn

from bot.cli.common import wrong

if TYPE_CHECKING:
    from handlers.roster.forms import FormInvalid

# The rules come from handlers/ when a check runs, not when the command line loads, so `--help`
# stays fast (tests/cli/test_start_up.py).

PLATFORMS = ("slack", "teams")
OFFER_MODES = ("broadcast", "sequential")
MAX_FOLLOW_UP_DAY = 365


def form_errors(exc: FormInvalid, options: Mapping[str, str]) -> NoReturn:
    """A chat form's first complaint, said of the option that carries that field."""
    field, message = next(iter(exc.errors.items()))
    wrong(options.get(field, f"--{field.replace('_', '-')}"), message)


def time_zone(value: str, option: str = "--time-zone") -> str:
    from handlers.core.people import known_time_zone

    zone = known_time_zone(value.strip())
    if zone is None or "/" not in zone and zone != "UTC":
        wrong(option, f"{value!r} is not a time zone: use an IANA name such as Europe/Madrid")
    return zone


def one_of(value: str, option: str, accepted: tuple[str, ...]) -> str:
    if value.strip().lower() not in accepted:
        wrong(option, f"{value!r} is not accepted: use {' or '.join(accepted)}")
    return value.strip().lower()


def locale(value: str, option: str = "--locale") -> str:
    from handlers.core.i18n import SUPPORTED_LOCALES

    return one_of(value, option, SUPPORTED_LOCALES)


def country(value: str, option: str = "--country") -> str:
    code = value.strip().upper()
    if len(code) != 2 or not code.isalpha():
        wrong(option, f"{value!r} is not a country: use its two-letter code, e.g. ES or GB")
    return code


def clock_time(value: str, option: str) -> time:
    """A local time of day, HH:MM (24-hour)."""
    try:
        parsed = time.fromisoformat(value.strip())
    except ValueError:
        wrong(option, f"{value!r} is not a time of day: use HH:MM (24-hour), e.g. 08:00")
    return parsed


def day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        wrong(option, f"{value!r} is not a date: use YYYY-MM-DD, e.g. 2027-06-30")


def local_moment(value: str, option: str) -> datetime:
    """A local date and time, YYYY-MM-DDTHH:MM (no offset: the organisation's time zone)."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is not None:
        wrong(option, f"{value!r} is not a local date and time: use YYYY-MM-DDTHH:MM")
    return moment


def ids(value: str, option: str) -> list[str]:
    """Comma-separated ids, in order (checked as numbers by the form they go to)."""
    parts = [part.strip() for part in value.split(",")]
    if not parts or not all(part.isdigit() for part in parts):
        wrong(option, f"{value!r} is not a list of ids: use numbers separated by commas, e.g. 3,5")
    return parts


def follow_up_days(value: str, option: str = "--follow-ups") -> list[int]:
    """Days after closing, increasing, each from 1 to a year; "none" sends no check-ins."""
    if value.strip().lower() == "none":
        return []
    parts = [part.strip() for part in value.split(",")]
    numbers = [int(part) for part in parts if part.isdigit()]
    if (
        len(numbers) != len(parts)
        or numbers != sorted(set(numbers))
        or not all(1 <= number <= MAX_FOLLOW_UP_DAY for number in numbers)
    ):
        wrong(
            option,
            f"{value!r} is not accepted: use increasing days from 1 to {MAX_FOLLOW_UP_DAY} "
            "separated by commas, e.g. 1,3,7,30 (or none)",
        )
    return numbers


def languages(value: str, option: str = "--languages") -> list[str]:
    from handlers.core.languages import Language

    spoken = [language.value for language in Language]
    chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
    if not chosen or not set(chosen) <= set(spoken):
        wrong(
            option,
            f"{value!r} is not accepted: use language codes separated by commas, "
            f"from {', '.join(spoken)}",
        )
    return chosen
