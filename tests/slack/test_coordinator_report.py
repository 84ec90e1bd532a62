"""`/support report` through /slack/events: a coordinator is told at once that the report is on
its way, then gets a summary of the last eight complete weeks and the trend chart (a PNG,
uploaded with files_upload_v2) in their DM; small cells read "Not shown"; everyone else is
refused and nothing is computed or uploaded; every run is audited."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

import bot.slack.reports
from models import AuditEvent, Peer, Tier
from tests.reports.rows import add_pulse_round, add_requests
from tests.slack.conftest import Posted, SlackWorld, text_of

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The clock reads Monday 2026-11-23 14:00 UTC: the last eight complete weeks (UTC, the
# organisation's time zone) run from Monday 2026-09-28 to Sunday 2026-11-22.
LATEST_WEEK = date(2026, 11, 16)
WEEK_BEFORE = date(2026, 11, 9)
IN_LATEST_WEEK = datetime(2026, 11, 18, 10, tzinfo=UTC)
IN_WEEK_BEFORE = datetime(2026, 11, 11, 10, tzinfo=UTC)
PERIOD = "week 2026-09-28..2026-11-22"


async def coordinator(slack: SlackWorld, name: str = "cy") -> tuple[int, int]:
    """`name` on the roster as coordinator: (peer id, organisation id)."""
    peer_id = await slack.make_peer(name, Tier.COORDINATOR)
    async with slack.runtime.database.session() as session:
        peer = await session.get(Peer, peer_id)
        assert peer is not None
        return peer_id, peer.organisation_id


async def report_audits(slack: SlackWorld) -> list[tuple[str, str | None]]:
    async with slack.runtime.database.session() as session:
        rows = await session.execute(
            select(AuditEvent.actor, AuditEvent.detail).where(AuditEvent.action == "report_viewed")
        )
        return [(actor, detail) for actor, detail in rows]


def said(slack: SlackWorld, name: str) -> list[Posted]:
    """The bot's messages to `name` but the files it shared (each shows as an image)."""
    return [m for m in slack.inbox(name) if not all(b["type"] == "image" for b in m.blocks)]


def fields_of(posted: Posted) -> dict[str, str]:
    """A message's fields section as {label: value}."""
    fields: dict[str, str] = {}
    for block in posted.blocks:
        for field in block.get("fields", []):
            label, value = field["text"].split("\n", 1)
            fields[label.strip("*")] = value
    return fields


def ephemeral_texts(slack: SlackWorld) -> list[str]:
    answers: list[dict[str, Any]] = slack.api.responses
    assert all(answer["response_type"] == "ephemeral" for answer in answers)
    return [text_of(answer["blocks"]) for answer in answers]


async def test_a_coordinator_gets_the_summary_and_the_chart_in_their_dm(slack: SlackWorld):
    cy, organisation = await coordinator(slack)
    database = slack.runtime.database
    await add_requests(database, organisation, IN_WEEK_BEFORE, 5)
    await add_requests(database, organisation, IN_LATEST_WEEK, 7, minutes_to_accept=12)
    await add_pulse_round(database, organisation, WEEK_BEFORE, [3, 3, 3, 3, 3])
    await add_pulse_round(database, organisation, LATEST_WEEK, [4, 4, 4, 5, 5])

    response = await slack.command("cy", "report")
    assert response.status == 200

    [preparing] = ephemeral_texts(slack)
    assert "Preparing the programme report for the last 8 complete weeks" in preparing
    [summary] = said(slack, "cy")
    assert summary.text == "Programme report: week of Nov 16, 2026"  # dates as people write
    fields = fields_of(summary)
    assert fields["Requests"] == "7"
    assert fields["Median minutes to accept"] == "12"
    assert fields["Wellbeing pulse average (1-5)"] == "4.4"
    assert fields["Escalations"] == "Not shown"  # none: fewer than the threshold
    readable = summary.readable
    assert "The last 8 complete weeks, Sep 28, 2026 to Nov 22, 2026" in readable
    assert "Requests went up: 7 this week, 5 the week before." in readable
    assert "The wellbeing pulse average rose by 1.4 to 4.4." in readable

    [chart] = slack.api.files_in("DCY")
    assert chart.data[:8] == PNG_SIGNATURE and chart.data[12:16] == b"IHDR"
    assert chart.length == len(chart.data) > 10_000
    assert chart.filename == "programme-report-2026-09-28-2026-11-22.png"
    assert chart.title == "Programme report chart, 2026-09-28 to 2026-11-22"
    assert chart.alt_txt is not None and chart.alt_txt.startswith("Chart of requests per week")
    methods = [call.method for call in slack.api.calls]
    assert methods.index("chat.postMessage") < methods.index("files.getUploadURLExternal")
    assert methods.index("files.getUploadURLExternal") < methods.index(
        "files.completeUploadExternal"
    )
    [complete] = slack.api.called("files.completeUploadExternal")
    assert complete.args["channel_id"] == "DCY" and complete.token == "xoxb-test"

    assert await report_audits(slack) == [(f"peer:{cy}", PERIOD)]


async def test_a_small_cell_reads_not_shown_never_its_count(slack: SlackWorld):
    _, organisation = await coordinator(slack)
    database = slack.runtime.database
    await add_requests(database, organisation, IN_WEEK_BEFORE, 6)
    await add_requests(database, organisation, IN_LATEST_WEEK, 2, minutes_to_accept=3)

    await slack.command("cy", "report")

    [summary] = said(slack, "cy")
    fields = fields_of(summary)
    assert fields["Requests"] == "Not shown"
    assert fields["Median minutes to accept"] == "Not shown"
    assert "2" not in fields.values() and "3" not in fields.values()
    # The week before is shown, but a direction would hint at the hidden count.
    assert "No trend in requests to tell" in summary.readable
    assert "went" not in summary.readable and "held steady" not in summary.readable
    assert "Not shown: fewer than 5" in summary.readable
    [chart] = slack.api.files_in("DCY")
    assert chart.data.startswith(PNG_SIGNATURE)


async def test_anyone_but_a_coordinator_is_refused_and_nothing_is_computed(slack: SlackWorld):
    await coordinator(slack)
    await slack.make_peer("ana")

    for name in ("ana", "rita"):
        response = await slack.command(name, "report")
        assert response.status == 200
    refusals = ephemeral_texts(slack)
    assert len(refusals) == 2
    assert all("programme reports are for the programme's coordinators" in r for r in refusals)
    assert not any(call.method.startswith("files.") for call in slack.api.calls)
    assert slack.api.files == {}
    assert slack.inbox("ana") == [] and slack.inbox("rita") == []
    assert await report_audits(slack) == []


async def test_writing_report_to_the_bot_works_the_same(slack: SlackWorld):
    cy, organisation = await coordinator(slack)
    await add_requests(slack.runtime.database, organisation, IN_LATEST_WEEK, 5)
    await slack.make_peer("ana")

    response = await slack.event(slack.dm_event("cy", "Report"))
    assert response.status == 200
    preparing, summary = said(slack, "cy")
    assert "Preparing the programme report" in preparing.readable
    assert fields_of(summary)["Requests"] == "5"
    [chart] = slack.api.files_in("DCY")
    assert chart.data.startswith(PNG_SIGNATURE)

    refusal = await slack.say("ana", "report")
    assert "programme reports are for the programme's coordinators" in refusal.readable
    assert slack.api.files_in("DANA") == []
    assert await report_audits(slack) == [(f"peer:{cy}", PERIOD)]


async def test_the_report_word_and_the_summary_speak_spanish(slack: SlackWorld):
    slack.user("cy", locale="es-ES")
    _, organisation = await coordinator(slack)
    await add_requests(slack.runtime.database, organisation, IN_LATEST_WEEK, 5)

    await slack.command("cy", "informe")

    [preparing] = ephemeral_texts(slack)
    assert "Preparando el informe del programa" in preparing
    [summary] = said(slack, "cy")
    assert summary.text == "Informe del programa: semana del 16 nov 2026"
    assert fields_of(summary)["Solicitudes"] == "5"
    assert fields_of(summary)["Escalados"] == "No se muestra"
    [chart] = slack.api.files_in("DCY")
    assert chart.title == "Gráfico del informe del programa, del 2026-09-28 al 2026-11-22"


async def test_the_chart_is_drawn_off_the_event_loop(
    slack: SlackWorld, monkeypatch: pytest.MonkeyPatch
):
    await coordinator(slack)
    threads: list[threading.Thread] = []
    draw = bot.slack.reports.draw_chart

    def spy(*args: Any) -> bytes:
        threads.append(threading.current_thread())
        return draw(*args)

    monkeypatch.setattr(bot.slack.reports, "draw_chart", spy)
    await slack.command("cy", "report")

    assert len(threads) == 1 and threads[0] is not threading.main_thread()
    assert slack.api.files_in("DCY")[0].data.startswith(PNG_SIGNATURE)


async def test_a_failed_upload_or_summary_is_told_to_the_coordinator(slack: SlackWorld):
    await coordinator(slack)
    slack.api.fail_next("files.getUploadURLExternal", 400)

    await slack.command("cy", "report")

    preparing, failed = ephemeral_texts(slack)
    assert "Preparing" in preparing
    assert "summary is in your direct messages with me, but I could not send its chart" in failed
    assert len(said(slack, "cy")) == 1 and slack.api.files_in("DCY") == []

    slack.api.fail_next("conversations.open", 400)
    await slack.command("cy", "report")

    assert "could not prepare the programme report" in ephemeral_texts(slack)[-1]
    assert len(said(slack, "cy")) == 1 and slack.api.files_in("DCY") == []


async def test_the_nhs_rule_rounds_and_says_so(slack: SlackWorld):
    """With `small_numbers = nhs`, a week of 12 requests reads 10 and the footer names the rule;
    a week of 6, shown under the plain threshold of 5, is not shown."""
    from tests.reports.rows import configure

    _, organisation = await coordinator(slack)
    database = slack.runtime.database
    await configure(database, organisation, small_numbers="nhs")
    await add_requests(database, organisation, IN_WEEK_BEFORE, 6)
    await add_requests(database, organisation, IN_LATEST_WEEK, 12, minutes_to_accept=4)

    await slack.command("cy", "report")
    [summary] = said(slack, "cy")
    fields = fields_of(summary)
    assert fields["Requests"] == "10" and fields["Median minutes to accept"] == "4"
    assert "NHS rule: counts of 1 to 7 are not shown" in summary.readable
    assert "12" not in fields.values()
    assert "No trend in requests to tell" in summary.readable  # the week of 6 is hidden


async def test_this_week_so_far_shows_what_a_demo_did_today(slack: SlackWorld):
    """A report of complete weeks alone shows nothing done this week; the week so far is there
    too, suppressed as the rest is."""
    _, organisation = await coordinator(slack)
    today = slack.clock()  # Monday 23 November, 14:00 UTC
    await add_requests(slack.runtime.database, organisation, today, 6, minutes_to_accept=4)
    await slack.command("cy", "report")
    [summary] = said(slack, "cy")
    assert "This week so far (since Nov 23, 2026): requests 6, median minutes to accept 4." in (
        summary.readable
    )


async def test_this_week_so_far_is_suppressed_like_the_rest(slack: SlackWorld):
    _, organisation = await coordinator(slack)
    await add_requests(slack.runtime.database, organisation, slack.clock(), 2)
    await slack.command("cy", "report")
    [summary] = said(slack, "cy")
    assert "This week so far (since Nov 23, 2026): requests Not shown" in summary.readable
