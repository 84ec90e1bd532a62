"""The coordinator's overview on Teams, through /api/messages: writing "admin" gives a coordinator
the programme at a glance (on call now, handoffs, lapsing training, cases this month, last week)
above the two-week schedule and the buttons that change the roster, in one card; anyone else
gets the polite refusal and nothing more."""

from __future__ import annotations

import base64
import json
from datetime import time, timedelta
from typing import Any

from handlers.roster.admin import RosterAdmin
from models import Peer, Tier
from tests.teams.conftest import TeamsWorld, actions_of, card_text
from tests.teams.test_flow import ask, offer_id, offers_to

COORDINATOR_ONLY = (
    "On call now",
    "Coming handoffs",
    "Training lapsing",
    "Cases carried",
    "Last week",
    "On call, next two weeks",
)


async def add_tomorrows_rotation(teams: TeamsWorld, peer_id: int) -> None:
    async with teams.runtime.database.session() as session:
        peer = await session.get(Peer, peer_id)
        assert peer is not None
    await RosterAdmin(teams.runtime.database, clock=teams.clock).add_rotation(
        None,
        peer.organisation_id,
        name="Nights",
        tier=Tier.PEER,
        starts_on=teams.clock().date() + timedelta(days=1),
        handoff_time=time(20),
        shift_hours=24,
        peer_ids=[peer_id],
    )


def sections(card: dict[str, Any]) -> list[str]:
    """Each container's text: the card's sections, in order."""
    assert all(item["type"] == "Container" for item in card["body"])
    return [card_text(container) for container in card["body"]]


async def test_a_coordinator_writing_admin_gets_the_overview_then_the_schedule(
    teams: TeamsWorld,
) -> None:
    await teams.install("cy")
    await teams.make_peer("cy", Tier.COORDINATOR)
    await teams.install("ana")
    soon = teams.clock().date() + timedelta(days=12)
    await teams.make_peer("ana", training_valid_until=soon)
    await teams.install("ben")
    ben = await teams.make_peer("ben", Tier.BACKUP)
    await add_tomorrows_rotation(teams, ben)
    await ask(teams, "rita", note="a hard night on the ward")
    [offer] = offers_to(teams, "ana")
    await teams.click("ana", "offer.accept", {"value": offer_id(offer)})
    await teams.run_jobs()

    card = await teams.say("cy", "admin")

    on_call, handoffs, lapsing, caseloads, week, reach_in, schedule, changes = sections(card)
    assert on_call.startswith("On call now")
    assert "Ana" in on_call and "Ben" in on_call and "Cy" in on_call
    assert handoffs.startswith("Coming handoffs") and "Ben takes over as peer supporter" in handoffs
    assert lapsing.startswith("Training lapsing within 30 days")
    assert "Ana: training valid until" in lapsing and "Ben" not in lapsing
    assert caseloads.startswith("Cases carried this month")
    assert "Ana: 1" in caseloads and "Ben: 0" in caseloads
    assert week.startswith("Last week") and "Not shown (fewer than 5)" in week
    assert reach_in.startswith("Reach-in after events") and "No event recorded" in reach_in
    assert schedule.startswith("On call, next two weeks") and "Ben (peer supporter)" in schedule
    assert changes.startswith("Change the roster")
    assert [(action["verb"], action["data"]["value"]) for action in actions_of(card)] == [
        ("admin:open", "add_peer"),
        ("admin:open", "remove_peer"),
        ("admin:open", "add_rotation"),
        ("admin:open", "add_override"),
        ("admin:open", "record_event"),
        ("admin:open", "group_session"),
    ]
    text = card_text(card)
    for secret in ("Rita", "aad-rita", "29:rita", "a hard night"):
        assert secret not in text


async def test_a_peer_or_anyone_else_gets_the_refusal_only(teams: TeamsWorld) -> None:
    await teams.install("cy")
    await teams.make_peer("cy", Tier.COORDINATOR)
    await teams.install("ana")
    await teams.make_peer("ana", training_valid_until=teams.clock().date() + timedelta(days=3))
    await teams.install("rita")

    for name in ("ana", "rita"):
        card = await teams.say(name, "admin")
        text = card_text(card)
        assert "the roster tools are for the programme's coordinators" in text
        assert len(card["body"]) == 1 and card["body"][0]["type"] == "TextBlock"
        assert "actions" not in card
        for coordinator_only in (*COORDINATOR_ONLY, "Cy", "Ana"):
            assert coordinator_only not in text


async def test_the_coordinator_card_speaks_spanish(teams: TeamsWorld) -> None:
    await teams.install("cy", "es-ES")
    await teams.make_peer("cy", Tier.COORDINATOR)

    text = card_text(await teams.say("cy", "administrar"))
    assert "De guardia ahora" in text and "Casos atendidos este mes" in text
    assert "No se muestra (menos de 5)" in text
    assert "De guardia, próximas dos semanas" in text


async def test_report_gives_a_coordinator_the_summary_and_anyone_else_the_refusal(
    teams: TeamsWorld,
) -> None:
    await teams.install("cy")
    await teams.make_peer("cy", Tier.COORDINATOR)
    await teams.install("ana")
    await teams.make_peer("ana")
    await ask(teams, "rita", note="a hard night on the ward")

    before = len(teams.inbox("cy"))
    response = await teams.post(teams.activity("cy", text="report", textFormat="plain"))
    assert response.status in (200, 201)
    summary, chart = teams.inbox("cy")[before:]
    report = card_text(summary.card)
    assert "Programme report: week of" in report and "The last 8 complete weeks" in report
    assert "Requests" in report and "the chart shows them all" in report
    for secret in ("Rita", "aad-rita", "a hard night"):
        assert secret not in report
    # the chart the summary speaks of comes right after it, as an inline PNG
    [image] = chart.body["attachments"]
    assert image["contentType"] == "image/png" and image["name"].endswith(".png")
    png = base64.b64decode(image["contentUrl"].removeprefix("data:image/png;base64,"))
    assert png.startswith(b"\x89PNG") and "Programme report chart" in chart.body["text"]
    assert len(json.dumps(chart.body)) <= 28_000  # within what Teams takes in one message

    refused = card_text(await teams.say("ana", "informe"))  # in Spanish too: the same command
    assert "programme reports are for the programme's coordinators" in refused
    assert "Programme report" not in refused


async def test_the_schedule_marks_a_peer_who_switched_to_unavailable(teams: TeamsWorld):
    await teams.install("cy")
    await teams.make_peer("cy", Tier.COORDINATOR)
    await teams.install("ben")
    await teams.make_peer("ben", available=False)
    card = await teams.say("cy", "admin")
    schedule = next(part for part in sections(card) if "Ben (peer supporter)" in part)
    assert "Ben (peer supporter), marked unavailable: not asked" in schedule


async def test_the_coming_handoffs_mark_a_peer_who_switched_to_unavailable(teams: TeamsWorld):
    await teams.install("cy")
    await teams.make_peer("cy", Tier.COORDINATOR)
    await teams.install("ben")
    ben = await teams.make_peer("ben", Tier.BACKUP, available=False)  # a peer from tomorrow
    await add_tomorrows_rotation(teams, ben)
    handoffs = sections(await teams.say("cy", "admin"))[1]
    assert handoffs.startswith("Coming handoffs")
    assert "Ben takes over as peer supporter, but is marked unavailable" in handoffs
