"""The programme report a coordinator asks for in chat: the last eight complete weeks, and the
current week so far (suppressed the same way), so what was done this week shows too.

The figures are `programme_report`'s, small cells suppressed exactly as on the command line, and
every run is audited as the command line's is (`report_viewed`), with the coordinator's roster
pseudonym as the actor. Anyone who is not an active coordinator gets `NotAllowed` and nothing is
computed. Drawing the chart is the adapters' business (matplotlib lives in `bot/`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.core import notices
from handlers.core.audit import peer_actor
from handlers.core.people import Person
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.reports.figures import Period, Report, programme_report, seen_report
from handlers.reports.summary import summary
from handlers.roster.access import require_coordinator
from models import Organisation

REPORT_WEEKS = 8


@dataclass(frozen=True)
class ChatReport:
    report: Report
    summary: Message
    start: date
    end: date  # the last day, inclusive


def complete_weeks(now: datetime, zone: ZoneInfo, weeks: int = REPORT_WEEKS) -> tuple[date, date]:
    """The first and last day of the `weeks` whole local weeks (Monday to Sunday) before the
    current one, which is not over yet."""
    today = now.astimezone(zone).date()
    this_monday = today - timedelta(days=today.weekday())
    return this_monday - timedelta(weeks=weeks), this_monday - timedelta(days=1)


def report_refusal(locale: str) -> Message:
    return notices.notice(locale, "report.refused", kind="report.refused")


def report_preparing(locale: str) -> Message:
    return notices.notice(locale, "report.preparing", kind="report.preparing", weeks=REPORT_WEEKS)


def report_failed(locale: str) -> Message:
    return notices.notice(locale, "report.failed", kind="report.failed")


def report_chart_failed(locale: str) -> Message:
    return notices.notice(locale, "report.chart_failed", kind="report.failed")


class ReportDesk:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def check(self, person: Person) -> None:
        """NotAllowed unless `person` is an active coordinator: one read, nothing computed."""
        async with self.core.database.reader() as session:
            await require_coordinator(session, person)

    async def weekly(self, person: Person, locale: str) -> ChatReport:
        """The last eight complete weeks' report and its summary in `locale`; audited."""
        async with self.core.database.session() as session, session.begin():
            coordinator = await require_coordinator(session, person)
            organisation = await session.get(Organisation, coordinator.organisation_id)
            assert organisation is not None
            now = self.core.clock()
            zone = ZoneInfo(organisation.time_zone)
            start, end = complete_weeks(now, zone)
            actor = peer_actor(coordinator)
            report = await seen_report(
                session, organisation, start, end, Period.WEEK, actor=actor, at=now
            )
            today = now.astimezone(zone).date()
            this_week = await programme_report(
                session, organisation, end + timedelta(days=1), today, Period.WEEK
            )
        so_far = this_week.periods[-1] if this_week.periods else None
        return ChatReport(report, summary(report, locale, so_far), start, end)
