"""The coordinator's overview: what it holds, and how it reads as messages, one per section,
in the coordinator's language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from handlers.core.i18n import t
from handlers.core.ports import Message
from handlers.reports.figures import PeriodFigures

MAX_ROWS = 10  # per list; the rest is counted, so a home view stays within its block limit


@dataclass(frozen=True)
class Handoff:
    starts_at: datetime
    tier: str
    name: str
    available: bool = True  # False: the peer switched to unavailable, so requests skip them


@dataclass(frozen=True)
class CoordinatorOverview:
    time_zone: str
    today: date  # in the organisation's time zone
    on_call: tuple[tuple[str, tuple[str, ...]], ...]  # (tier, names) for every tier, in order
    handoffs: tuple[Handoff, ...]  # shifts and overrides starting in the coming week
    lapsing: tuple[tuple[str, date], ...]  # (name, training valid until), soonest first
    caseloads: tuple[tuple[str, int], ...]  # (name, cases accepted this month), busiest first
    week: PeriodFigures  # the latest closed week
    threshold: int
    nhs_rule: bool = False  # small numbers: 1-7 hidden, the others rounded to the nearest 5


def overview_messages(locale: str, overview: CoordinatorOverview) -> list[Message]:
    return [
        _on_call(locale, overview),
        _handoffs(locale, overview),
        _lapsing(locale, overview),
        _caseloads(locale, overview),
        _week(locale, overview),
    ]


def _rows(locale: str, rows: Iterable[str], empty_key: str) -> list[str]:
    lines = list(rows)
    if not lines:
        return [t(locale, empty_key)]
    shown = lines[:MAX_ROWS]
    if len(lines) > MAX_ROWS:
        shown.append(t(locale, "overview.more", count=len(lines) - MAX_ROWS))
    return shown


def _tier(locale: str, tier: str) -> str:
    return t(locale, f"tier.{tier}")


def _on_call(locale: str, overview: CoordinatorOverview) -> Message:
    nobody = t(locale, "overview.nobody")
    return Message(
        kind="coordinator.on_call",
        title=t(locale, "overview.on_call.title"),
        fields=[
            (_tier(locale, tier).capitalize(), ", ".join(names) or nobody)
            for tier, names in overview.on_call
        ],
    )


def _handoffs(locale: str, overview: CoordinatorOverview) -> Message:
    zone = ZoneInfo(overview.time_zone)
    rows = (
        t(
            locale,
            "overview.handoffs.entry"
            if handoff.available
            else "overview.handoffs.entry_unavailable",
            when=format_datetime(
                handoff.starts_at.astimezone(zone), "EEE d MMM, HH:mm", locale=locale
            ),
            name=handoff.name,
            tier=_tier(locale, handoff.tier),
        )
        for handoff in overview.handoffs
    )
    return Message(
        kind="coordinator.handoffs",
        title=t(locale, "overview.handoffs.title"),
        lines=_rows(locale, rows, "overview.handoffs.none"),
    )


def _lapsing(locale: str, overview: CoordinatorOverview) -> Message:
    rows = (
        t(
            locale,
            "overview.lapsed.entry" if until < overview.today else "overview.lapsing.entry",
            name=name,
            date=format_date(until, "d MMM y", locale=locale),
        )
        for name, until in overview.lapsing
    )
    return Message(
        kind="coordinator.lapsing",
        title=t(locale, "overview.lapsing.title"),
        lines=_rows(locale, rows, "overview.lapsing.none"),
    )


def _caseloads(locale: str, overview: CoordinatorOverview) -> Message:
    rows = (
        t(locale, "overview.caseloads.entry", name=name, count=count)
        for name, count in overview.caseloads
    )
    return Message(
        kind="coordinator.caseloads",
        title=t(locale, "overview.caseloads.title"),
        lines=_rows(locale, rows, "overview.caseloads.none"),
        footer=t(locale, "overview.caseloads.footer"),
    )


def _week(locale: str, overview: CoordinatorOverview) -> Message:
    week, threshold = overview.week, overview.threshold
    hidden = t(locale, "overview.week.suppressed", threshold=threshold)
    requests = hidden if week.requests is None else str(week.requests)
    median = (
        hidden
        if week.median_minutes_to_accept is None
        else t(locale, "overview.week.minutes", minutes=f"{week.median_minutes_to_accept:g}")
    )
    return Message(
        kind="coordinator.week",
        title=t(
            locale,
            "overview.week.title",
            start=format_date(week.start, "d MMM", locale=locale),
            end=format_date(week.end, "d MMM y", locale=locale),
        ),
        fields=[
            (t(locale, "overview.week.requests"), requests),
            (t(locale, "overview.week.median"), median),
        ],
        footer=t(locale, "overview.week.footer.nhs")
        if overview.nhs_rule
        else t(locale, "overview.week.footer", threshold=threshold),
    )
