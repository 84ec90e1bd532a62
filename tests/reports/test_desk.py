"""The programme report in chat as a use case: the last eight complete local weeks, the role
check, the audit, and the typed report word (the summary alone, for any platform)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from handlers.chat.commands import Command, Commands, command_of
from handlers.privacy.erasure import Erasure
from handlers.privacy.forget_me import ForgetMe
from handlers.pulse.rounds import Pulses
from handlers.reports.desk import ReportDesk, complete_weeks
from handlers.roster.access import NotAllowed
from handlers.roster.desk import RosterDesk
from models import AuditEvent, Tier
from tests.hospital import Hospital


def test_the_weeks_are_whole_local_weeks_before_the_current_one() -> None:
    monday_early = datetime(2026, 11, 23, 3, tzinfo=UTC)
    assert complete_weeks(monday_early, ZoneInfo("UTC")) == (date(2026, 9, 28), date(2026, 11, 22))
    # Still Sunday evening in Los Angeles: the week of the 16th is not over there.
    assert complete_weeks(monday_early, ZoneInfo("America/Los_Angeles")) == (
        date(2026, 9, 21),
        date(2026, 11, 15),
    )


async def test_only_a_coordinator_gets_the_report_and_each_run_is_audited(
    hospital: Hospital,
) -> None:
    await hospital.add_peer("cy", Tier.COORDINATOR, on_call=False)
    await hospital.add_peer("ana")
    desk = ReportDesk(hospital.core)
    for outsider in (hospital.person("ana"), hospital.person("stranger")):
        with pytest.raises(NotAllowed):
            await desk.check(outsider)
        with pytest.raises(NotAllowed):
            await desk.weekly(outsider, "en")
    assert await _report_audits(hospital) == []

    chat = await desk.weekly(hospital.person("cy"), "es")
    assert len(chat.report.periods) == 8
    assert (chat.start, chat.end) == (chat.report.periods[0].start, chat.report.periods[-1].end)
    assert chat.summary.kind == "report.summary"
    assert chat.summary.title is not None and chat.summary.title.startswith("Informe")
    assert ("Solicitudes", "No se muestra") in chat.summary.fields
    cy = hospital.peers["cy"]
    assert await _report_audits(hospital) == [(f"peer:{cy}", f"week {chat.start}..{chat.end}")]


async def test_the_typed_report_word_answers_with_the_summary_or_refuses(
    hospital: Hospital,
) -> None:
    await hospital.add_peer("cy", Tier.COORDINATOR, on_call=False)
    await hospital.add_peer("ana")
    core = hospital.core
    commands = Commands(
        core, Pulses(core), ForgetMe(core, Erasure(core, hospital.cases)), RosterDesk(core)
    )
    for word in ("report", "/Report", "Informe", "programme report"):
        assert command_of(word) is Command.REPORT

    shown = await commands.run(hospital.person("cy"), Command.REPORT)
    assert shown is not None and shown.kind == "report.summary"
    refused = await commands.run(hospital.person("ana"), Command.REPORT)
    assert refused is not None and refused.kind == "report.refused"
    assert len(await _report_audits(hospital)) == 1


async def _report_audits(hospital: Hospital) -> list[tuple[str, str | None]]:
    async with hospital.database.session() as session:
        rows = await session.execute(
            select(AuditEvent.actor, AuditEvent.detail).where(AuditEvent.action == "report_viewed")
        )
        return [(actor, detail) for actor, detail in rows]
