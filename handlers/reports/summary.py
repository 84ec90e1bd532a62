"""A report's latest week in a few words for chat: headline figures and the trend.

Only what the report shows is used: a suppressed figure reads "Not shown" (never its count), and a
trend is told only between two shown figures, so its direction cannot hint at a hidden one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal

from handlers.core.i18n import t
from handlers.core.ports import Message
from handlers.reports.figures import PeriodFigures, PulseFigures, Report
from handlers.reports.suppression import SmallNumbers

WELLBEING_QUESTION = 1  # the pulse question the trend and the chart follow


def wellbeing(figures: PeriodFigures) -> PulseFigures | None:
    return next((p for p in figures.pulse if p.question == WELLBEING_QUESTION), None)


def summary(report: Report, locale: str, so_far: PeriodFigures | None = None) -> Message:
    """The latest complete week, the trend, and (`so_far`) the current week up to now, every
    figure suppressed as the report suppresses it; dates as people write them in `locale`."""
    latest = report.periods[-1]
    previous = report.periods[-2] if len(report.periods) > 1 else None
    first = report.periods[0]

    def show(value: float | None) -> str:
        return t(locale, "report.hidden") if value is None else _number(value, locale)

    pulse = wellbeing(latest)
    return Message(
        kind="report.summary",
        title=t(locale, "report.title", week=_day(latest.start, locale)),
        lines=[
            t(
                locale,
                "report.period",
                weeks=len(report.periods),
                start=_day(first.start, locale),
                end=_day(latest.end, locale),
            ),
            _requests_trend(latest, previous, locale),
            _pulse_trend(pulse, locale),
            *([_so_far(so_far, locale, show)] if so_far is not None else []),
            _reach_ins(report, locale, show),
        ],
        fields=[
            (t(locale, "report.field.requests"), show(latest.requests)),
            (t(locale, "report.field.median"), show(latest.median_minutes_to_accept)),
            (t(locale, "report.field.escalations"), show(latest.escalations.total)),
            (t(locale, "report.field.crisis"), show(latest.crisis)),
            (t(locale, "report.field.follow_up"), show(latest.follow_up_answers)),
            (t(locale, "report.field.follow_up_average"), show(latest.follow_up_average)),
            (t(locale, "report.field.pulse"), show(pulse and pulse.average)),
            (
                t(locale, "report.field.encounters"),
                t(
                    locale,
                    "report.encounters",
                    **{kind: show(value) for kind, value in latest.encounters.cells.items()},
                ),
            ),
        ],
        footer=_footer(report, locale),
    )


def _footer(report: Report, locale: str) -> str:
    if report.small_numbers == SmallNumbers.NHS:
        return t(locale, "report.footer.nhs")
    return t(locale, "report.footer", threshold=report.threshold)


def _requests_trend(latest: PeriodFigures, previous: PeriodFigures | None, locale: str) -> str:
    now = latest.requests
    before = previous.requests if previous is not None else None
    if now is None or before is None:
        return t(locale, "report.trend.requests_unknown")
    key = "up" if now > before else "down" if now < before else "same"
    return t(
        locale,
        f"report.trend.requests_{key}",
        now=_number(now, locale),
        before=_number(before, locale),
    )


def _pulse_trend(pulse: PulseFigures | None, locale: str) -> str:
    if pulse is None or pulse.average is None or pulse.trend is None:
        return t(locale, "report.trend.pulse_unknown")
    key = "up" if pulse.trend > 0 else "down" if pulse.trend < 0 else "same"
    return t(
        locale,
        f"report.trend.pulse_{key}",
        now=_number(pulse.average, locale),
        change=_number(abs(pulse.trend), locale),
    )


def _so_far(figures: PeriodFigures, locale: str, show: Callable[[float | None], str]) -> str:
    """The week not over yet: what has happened since Monday, shown only as the rest is."""
    return t(
        locale,
        "report.so_far",
        start=_day(figures.start, locale),
        requests=show(figures.requests),
        median=show(figures.median_minutes_to_accept),
    )


def _reach_ins(report: Report, locale: str, show: Callable[[float | None], str]) -> str:
    """The reach-ins of the report's weeks in one line: how many events, how many colleagues
    were reached (the coordinators picked them), how many asked to talk (suppressed)."""
    if not report.reach_ins:
        return t(locale, "report.reach_in.none")
    talk = [event.talk for event in report.reach_ins]
    return t(
        locale,
        "report.reach_in",
        events=len(report.reach_ins),
        reached=sum(event.reached for event in report.reach_ins),
        talk=show(None if None in talk else sum(value or 0 for value in talk)),
    )


def _day(day: date, locale: str) -> str:
    return format_date(day, "medium", locale=locale)


def _number(value: float, locale: str) -> str:
    return format_decimal(value, format="#,##0.##", locale=locale)
