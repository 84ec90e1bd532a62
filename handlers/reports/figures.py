"""Programme reports for coordinators: aggregates per week or month, small cells suppressed.

The queries select only the columns a figure needs (never an identity, a unit or a note), and
every figure is computed in Python so SQLite and PostgreSQL give the same answer. Periods are
whole local weeks (Monday to Sunday) or calendar months in the organisation's time zone that
cover the dates asked for. Follow-up and encounter answers keep only the Monday of their week,
so in a monthly report they count in the month that Monday falls in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.audit import record
from handlers.reports.periods import Calendar, Period, add_periods, midnight_of, period_starts
from handlers.reports.reach_in import EventFigures, figures_between
from handlers.reports.suppression import (
    Breakdown,
    Rule,
    SmallNumbers,
    average_shown,
    breakdown,
    count_shown,
    minutes_to_accept,
    rule_of,
)
from handlers.support.encounters import KINDS as ENCOUNTER_KINDS
from handlers.support.intake import Category, Urgency
from models import (
    TIER_ORDER,
    EncounterAnswer,
    FollowUpAnswer,
    Organisation,
    PulseAnswer,
    PulseRound,
)
from models import SupportRequest as Request

REPORT_VIEWED = "report_viewed"  # the audit action of every report run
SCORE = "score"  # the follow-up choice that carries a 1-5 score


@dataclass(frozen=True)
class PulseFigures:
    question: int
    answers: int | None
    average: float | None
    trend: float | None  # the average's change since the previous period


@dataclass(frozen=True)
class PeriodFigures:
    label: str  # "2026-09-28" for the week starting then, "2026-09" for a month
    start: date
    end: date  # the last day, inclusive
    by_urgency: Breakdown
    by_category: Breakdown
    median_minutes_to_accept: float | None
    p90_minutes_to_accept: float | None
    escalations: Breakdown  # requests escalated at least once, by the tier they reached
    crisis: int | None
    follow_up_answers: int | None
    follow_up_average: float | None
    pulse: tuple[PulseFigures, ...]
    # What kind of support closed cases were, as their peers said (counted apart from the cases)
    encounters: Breakdown

    @property
    def requests(self) -> int | None:
        return self.by_urgency.total


@dataclass(frozen=True)
class Caseload:
    """Requests a peer accepted in a month: their workload, never what the cases were."""

    month: date
    peer: str  # "peer:<id>", the roster's pseudonym
    cases: int


@dataclass(frozen=True)
class Report:
    organisation_id: int
    period: Period
    threshold: int  # the smallest group shown
    periods: tuple[PeriodFigures, ...]
    caseloads: tuple[Caseload, ...]
    small_numbers: SmallNumbers = SmallNumbers.THRESHOLD
    # Reach-ins after events on the report's days, oldest first, their answers suppressed
    reach_ins: tuple[EventFigures, ...] = ()


async def programme_report(
    session: AsyncSession, organisation: Organisation, start: date, end: date, period: str
) -> Report:
    """The organisation's figures for each week or month from `start` to `end` (inclusive)."""
    if end < start:
        raise ValueError(f"the report ends ({end}) before it starts ({start})")
    kind = Period(period)
    calendar = Calendar.covering(start, end, kind, ZoneInfo(organisation.time_zone))
    threshold = rule_of(organisation)
    requests = await _requests(session, organisation.id, calendar)
    answers = await _follow_up_scores(session, organisation.id, calendar)
    encounters = await _encounter_kinds(session, organisation.id, calendar)
    pulse = await _pulse_scores(session, organisation.id, calendar)

    seen = (row.category for rows in requests.values() for row in rows)
    categories = list(dict.fromkeys([*(category.value for category in Category), *seen]))
    previous_pulse = _pulse(pulse.get(0, {}), threshold, ())
    periods = []
    for index in range(1, len(calendar.bounds) - 1):
        pulse_figures = _pulse(pulse.get(index, {}), threshold, previous_pulse)
        periods.append(
            _period_figures(
                kind,
                calendar.bounds[index],
                calendar.bounds[index + 1],
                requests.get(index, []),
                categories,
                answers.get(index, []),
                pulse_figures,
                encounters.get(index, []),
                threshold,
            )
        )
        previous_pulse = pulse_figures
    caseloads = await _caseloads(session, organisation.id, calendar.zone, start, end)
    rule = SmallNumbers.NHS if threshold.nhs else SmallNumbers.THRESHOLD
    reach_ins = await figures_between(
        session, organisation, calendar.bounds[1], calendar.bounds[-1]
    )
    return Report(
        organisation.id, kind, threshold.least, tuple(periods), caseloads, rule, reach_ins
    )


async def seen_report(
    session: AsyncSession,
    organisation: Organisation,
    start: date,
    end: date,
    period: Period,
    *,
    actor: str,
    at: datetime,
) -> Report:
    """`programme_report`, and the audit event that `actor` saw it (the command line and chat
    alike)."""
    report = await programme_report(session, organisation, start, end, period)
    record(
        session,
        organisation_id=organisation.id,
        request_id=None,
        actor=actor,
        action=REPORT_VIEWED,
        detail=f"{period.value} {start}..{end}",
        at=at,
    )
    return report


@dataclass(frozen=True)
class _RequestRow:
    urgency: str
    category: str
    crisis: bool
    created_at: datetime
    accepted_at: datetime | None
    escalations: int
    tier_index: int


async def _requests(
    session: AsyncSession, organisation_id: int, calendar: Calendar
) -> dict[int, list[_RequestRow]]:
    """The reported periods' requests, by period: only the columns figures are made of."""
    rows = await session.execute(
        select(
            Request.urgency,
            Request.category,
            Request.crisis,
            Request.created_at,
            Request.accepted_at,
            Request.escalations,
            Request.tier_index,
        ).where(
            Request.organisation_id == organisation_id,
            Request.created_at >= calendar.midnight(1),
            Request.created_at < calendar.midnight(-1),
        )
    )
    by_period: dict[int, list[_RequestRow]] = {}
    for row in rows:
        request = _RequestRow(*row)
        by_period.setdefault(calendar.slot(request.created_at), []).append(request)
    return by_period


async def _follow_up_scores(
    session: AsyncSession, organisation_id: int, calendar: Calendar
) -> dict[int, list[int | None]]:
    """Per reported period, one entry per follow-up answer: its score, or None for "talk
    again" and "stop"."""
    rows = await session.execute(
        select(FollowUpAnswer.week_of, FollowUpAnswer.choice, FollowUpAnswer.score).where(
            FollowUpAnswer.organisation_id == organisation_id,
            FollowUpAnswer.week_of >= calendar.bounds[1],
            FollowUpAnswer.week_of < calendar.bounds[-1],
        )
    )
    by_period: dict[int, list[int | None]] = {}
    for week_of, choice, score in rows:
        by_period.setdefault(calendar.slot(week_of), []).append(score if choice == SCORE else None)
    return by_period


async def _encounter_kinds(
    session: AsyncSession, organisation_id: int, calendar: Calendar
) -> dict[int, list[str]]:
    """Per reported period, the kind of support of each answer given in it."""
    rows = await session.execute(
        select(EncounterAnswer.week_of, EncounterAnswer.kind).where(
            EncounterAnswer.organisation_id == organisation_id,
            EncounterAnswer.week_of >= calendar.bounds[1],
            EncounterAnswer.week_of < calendar.bounds[-1],
        )
    )
    by_period: dict[int, list[str]] = {}
    for week_of, kind in rows:
        by_period.setdefault(calendar.slot(week_of), []).append(kind)
    return by_period


async def _pulse_scores(
    session: AsyncSession, organisation_id: int, calendar: Calendar
) -> dict[int, dict[tuple[int, int], list[int]]]:
    """Per period of closing (the one before the report too), the scores by question and
    round. Open rounds are left out: their figures are not final, nor shown anywhere yet."""
    rows = await session.execute(
        select(PulseRound.id, PulseRound.closes_at, PulseAnswer.question, PulseAnswer.score)
        .join(PulseAnswer, PulseAnswer.round_id == PulseRound.id)
        .where(
            PulseRound.organisation_id == organisation_id,
            PulseRound.status == "closed",
            PulseRound.closes_at >= calendar.midnight(0),
            PulseRound.closes_at < calendar.midnight(-1),
        )
    )
    by_period: dict[int, dict[tuple[int, int], list[int]]] = {}
    for round_id, closes_at, question, score in rows:
        by_round = by_period.setdefault(calendar.slot(closes_at), {})
        by_round.setdefault((question, round_id), []).append(score)
    return by_period


def _period_figures(
    kind: Period,
    start: date,
    next_start: date,
    rows: list[_RequestRow],
    categories: list[str],
    answers: list[int | None],
    pulse: tuple[PulseFigures, ...],
    encounters: list[str],
    threshold: Rule,
) -> PeriodFigures:
    waits = [
        (row.accepted_at - row.created_at).total_seconds() / 60
        for row in rows
        if row.accepted_at is not None
    ]
    median, p90 = minutes_to_accept(waits, threshold)
    escalated = [row for row in rows if row.escalations > 0]
    scores = [score for score in answers if score is not None]
    return PeriodFigures(
        label=start.isoformat() if kind is Period.WEEK else start.strftime("%Y-%m"),
        start=start,
        end=next_start - timedelta(days=1),
        by_urgency=breakdown(
            [urgency.value for urgency in Urgency], (row.urgency for row in rows), threshold
        ),
        by_category=breakdown(categories, (row.category for row in rows), threshold),
        median_minutes_to_accept=median,
        p90_minutes_to_accept=p90,
        escalations=breakdown(
            [tier.value for tier in TIER_ORDER[1:]],
            (TIER_ORDER[row.tier_index].value for row in escalated),
            threshold,
        ),
        crisis=count_shown(sum(row.crisis for row in rows), threshold),
        follow_up_answers=count_shown(len(answers), threshold),
        follow_up_average=average_shown(scores, threshold),
        pulse=pulse,
        encounters=breakdown(list(ENCOUNTER_KINDS), encounters, threshold),
    )


def _pulse(
    by_round: Mapping[tuple[int, int], list[int]],
    threshold: Rule,
    previous: tuple[PulseFigures, ...],
) -> tuple[PulseFigures, ...]:
    """Per question, the answers of the period's rounds pooled. A round under the threshold is
    left out altogether: pooled with shown rounds, its own average could be worked out."""
    shown: dict[int, list[int]] = {}
    for (question, _round_id), scores in by_round.items():
        if len(scores) >= threshold.least:
            shown.setdefault(question, []).extend(scores)
    before = {figures.question: figures.average for figures in previous}
    figures = []
    for question in sorted({question for question, _round_id in by_round} | set(before)):
        scores = shown.get(question, [])
        average = average_shown(scores, threshold)
        last = before.get(question)
        trend = None if average is None or last is None else round(average - last, 2)
        figures.append(PulseFigures(question, count_shown(len(scores), threshold), average, trend))
    return tuple(figures)


async def _caseloads(
    session: AsyncSession, organisation_id: int, zone: ZoneInfo, start: date, end: date
) -> tuple[Caseload, ...]:
    """Per calendar month from `start` to `end`, the requests each peer accepted.

    Not suppressed: the number describes the peer's workload (so the coordinator can look after
    them), not the people they helped, and nothing about those cases is shown beside it."""
    months = period_starts(start, end, Period.MONTH)
    rows = await session.execute(
        select(Request.accepted_peer_id, Request.accepted_at).where(
            Request.organisation_id == organisation_id,
            Request.accepted_peer_id.is_not(None),
            Request.accepted_at >= midnight_of(months[0], zone),
            Request.accepted_at < midnight_of(add_periods(months[-1], Period.MONTH, 1), zone),
        )
    )
    counts = Counter(
        (accepted_at.astimezone(zone).date().replace(day=1), peer_id)
        for peer_id, accepted_at in rows
    )
    return tuple(
        Caseload(month=month, peer=f"peer:{peer_id}", cases=cases)
        for (month, peer_id), cases in sorted(counts.items())
    )
