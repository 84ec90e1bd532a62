"""What returns to the coordinator after a reach-in (`handlers/reach_in`): per event, how
many were reached and, as suppressed totals, how many asked to talk, said no thanks or have not
answered (and how many said maybe later). Never who: answers are stored as counts on the event
alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.i18n import t
from handlers.core.ports import Message
from handlers.reports.suppression import Rule, count_shown, rule_of, suppress
from models import Organisation, ReachInEvent

RECENT = timedelta(days=90)
MAX_EVENTS = 10


@dataclass(frozen=True)
class EventFigures:
    occurred_on: date
    category: str
    reached: int  # the coordinator picked them: their number is no secret to them
    talk: int | None  # None: not shown (under the threshold, or would reveal a hidden cell)
    declined: int | None
    unanswered: int | None
    later: int | None


def event_figures(event: ReachInEvent, threshold: Rule | int) -> EventFigures:
    unanswered = max(event.reached - event.talk - event.declined, 0)
    cells = {"talk": event.talk, "declined": event.declined, "unanswered": unanswered}
    _, shown = suppress(cells, threshold)
    return EventFigures(
        occurred_on=event.occurred_on,
        category=event.category,
        reached=event.reached,
        talk=shown["talk"],
        declined=shown["declined"],
        unanswered=shown["unanswered"],
        later=count_shown(event.later, threshold),
    )


async def recent_figures(
    session: AsyncSession, organisation: Organisation, now: datetime
) -> list[EventFigures]:
    """The latest events' figures, newest first, small cells suppressed."""
    events = await session.scalars(
        select(ReachInEvent)
        .where(
            ReachInEvent.organisation_id == organisation.id,
            ReachInEvent.recorded_at >= now - RECENT,
        )
        .order_by(ReachInEvent.occurred_on.desc(), ReachInEvent.id.desc())
        .limit(MAX_EVENTS)
    )
    rule = rule_of(organisation)  # the organisation's small-numbers rule (NHS or threshold)
    return [event_figures(event, rule) for event in events]


async def figures_between(
    session: AsyncSession, organisation: Organisation, start: date, end: date
) -> tuple[EventFigures, ...]:
    """The figures of the events that happened from `start` up to (not including) `end`,
    oldest first (a programme report's reach-ins)."""
    events = await session.scalars(
        select(ReachInEvent)
        .where(
            ReachInEvent.organisation_id == organisation.id,
            ReachInEvent.occurred_on >= start,
            ReachInEvent.occurred_on < end,
        )
        .order_by(ReachInEvent.occurred_on, ReachInEvent.id)
    )
    rule = rule_of(organisation)
    return tuple(event_figures(event, rule) for event in events)


def shown(locale: str, value: int | None) -> str:
    return t(locale, "reach_in.figures.hidden") if value is None else str(value)


def figures_message(locale: str, figures: list[EventFigures], threshold: int) -> Message:
    """The coordinator's overview section: one line per recent event."""
    lines = [
        t(
            locale,
            "reach_in.figures.entry",
            day=format_date(item.occurred_on, "d MMM", locale=locale),
            category=t(locale, f"category.{item.category}"),
            reached=item.reached,
            talk=shown(locale, item.talk),
            declined=shown(locale, item.declined),
            unanswered=shown(locale, item.unanswered),
            later=shown(locale, item.later),
        )
        for item in figures
    ]
    return Message(
        kind="reach_in.figures",
        title=t(locale, "reach_in.figures.title"),
        lines=lines or [t(locale, "reach_in.figures.none")],
        footer=t(locale, "reach_in.figures.footer", threshold=threshold),
    )
