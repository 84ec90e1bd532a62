"""Personal chat: install, the intake card, submitting it, help, and the relay prompt."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from handlers.core.people import lookup_key
from models import ChatIdentity, DueJob, SupportRequest
from tests.teams.conftest import TENANT, TeamsWorld, card_text, verbs

FORM = {
    "urgency": "today",
    "category": "patient_death",
    "contact": "phone",
    "language": "en",
    "anonymous": "false",
    "exclude_own_unit": "false",
    "unit": "",
    "note": "",
    "crisis": "false",
}


async def count(teams: TeamsWorld, model: type) -> int:
    async with teams.runtime.database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_install_stores_the_conversation_reference_and_says_hello(teams: TeamsWorld):
    await teams.install("ana")

    async with teams.runtime.database.session() as session:
        identity = await session.scalar(
            select(ChatIdentity).where(
                ChatIdentity.lookup_key == lookup_key("teams", TENANT, "aad-ana")
            )
        )
    assert identity is not None
    assert identity.address["serviceUrl"] == teams.service_url
    assert identity.address["conversation"]["id"] == "a:personal-ana"
    assert "activityId" not in identity.address
    # the welcome, then (nobody coordinates a programme here yet) the next steps
    [welcome, steps] = teams.inbox("ana")
    assert "support" in card_text(welcome.card).lower()
    assert verbs(welcome.card) == ["support.start", "pulse.opt"]
    assert "Next steps" in card_text(steps.card)


async def test_the_time_zone_teams_sends_is_kept_for_check_ins(teams: TeamsWorld):
    """Teams clients say their IANA time zone in a clientInfo entity: kept (encrypted) so
    check-ins come in the person's own morning."""
    await teams.install("ana")
    client_info = {"type": "clientInfo", "locale": "en-IE", "timezone": "Europe/Dublin"}
    activity = teams.activity("ana", text="help", entities=[client_info])
    assert (await teams.post(activity)).status in (200, 201)
    async with teams.runtime.database.session() as session:
        identity = await session.scalar(
            select(ChatIdentity).where(
                ChatIdentity.lookup_key == lookup_key("teams", TENANT, "aad-ana")
            )
        )
    assert identity is not None and identity.time_zone == "Europe/Dublin"


async def test_support_shows_the_intake_card_in_the_persons_language(teams: TeamsWorld):
    card = await teams.say("ana", "support")
    assert card["version"] == "1.4"
    ids = {element.get("id") for element in card["body"]}
    assert {"urgency", "category", "contact", "language", "anonymous"} <= ids
    assert {"exclude_own_unit", "unit", "note", "crisis"} <= ids
    after_note = card["body"][[element.get("id") for element in card["body"]].index("note") + 1]
    assert "leave out patient names" in after_note["text"]  # right under the note
    assert verbs(card) == ["intake.submit"]

    teams.user("bea", "es-ES")
    card = await teams.say("bea", "Apoyo")
    assert "¿" in card_text(card)


async def test_a_submitted_form_stores_the_request_and_confirms_once(teams: TeamsWorld):
    await teams.say("ana", "support")

    received = await teams.click("ana", "intake.submit", {**FORM})
    assert verbs(received) == []  # the form is gone: it cannot be sent twice
    assert await count(teams, SupportRequest) == 1

    await teams.run_jobs()
    acknowledgements = [
        call for call in teams.inbox("ana") if "request.withdraw" in verbs(call.card)
    ]
    assert len(acknowledgements) == 1
    text = card_text(acknowledgements[0].card)
    assert "988" in text  # crisis resources of the organisation's country


async def test_the_same_form_sent_twice_makes_one_request(teams: TeamsWorld):
    form = await teams.say("ana", "support")
    [submit] = form["actions"]
    shown_again = await teams.click("ana", "intake.submit", {**submit["data"], "urgency": ""})
    [resubmit] = shown_again["actions"]
    assert resubmit["data"] == submit["data"]  # the same copy of the form, errors shown
    for _ in range(2):  # a double click (or a replay) of the corrected form
        await teams.click("ana", "intake.submit", {**resubmit["data"], **FORM})
    assert await count(teams, SupportRequest) == 1
    other = await teams.say("ana", "support")
    await teams.click("ana", "intake.submit", {**other["actions"][0]["data"], **FORM})
    assert await count(teams, SupportRequest) == 2  # a new form is a new request


async def test_an_invalid_form_comes_back_with_its_errors_and_nothing_is_stored(
    teams: TeamsWorld,
):
    card = await teams.click("ana", "intake.submit", {**FORM, "urgency": "", "note": "x" * 600})
    text = card_text(card)
    assert "Choose how soon" in text
    assert "500" in text
    assert verbs(card) == ["intake.submit"]
    assert await count(teams, SupportRequest) == 0
    assert await count(teams, DueJob) == 0


async def test_help_explains_the_service_and_offers_to_start(teams: TeamsWorld):
    card = await teams.say("ana", "help")
    assert "confidential" in card_text(card).lower()
    assert verbs(card) == ["support.start", "pulse.opt"]
    form = await teams.click("ana", "support.start", {"value": ""})
    assert verbs(form) == ["intake.submit"]


async def test_the_weekly_pulse_is_one_click_from_help(teams: TeamsWorld):
    card = await teams.say("ana", "help")
    [switch] = [action for action in card["actions"] if action["verb"] == "pulse.opt"]
    assert switch["title"] == "Get the weekly pulse"
    joined = await teams.click("ana", "pulse.opt", switch["data"])
    assert "will get the weekly wellbeing pulse" in card_text(joined)
    card = await teams.say("ana", "help")
    [switch] = [action for action in card["actions"] if action["verb"] == "pulse.opt"]
    assert switch["title"] == "Stop the weekly pulse"


async def test_other_text_without_an_open_case_is_not_passed_on(teams: TeamsWorld):
    card = await teams.say("ana", "is anyone there?")
    assert "not passed on" in card_text(card)
    assert verbs(card) == ["support.start"]


@pytest.mark.parametrize("conversation_type", ["channel", "groupChat"])
async def test_nothing_is_said_in_a_channel_or_group_chat(
    teams: TeamsWorld, conversation_type: str
):
    """The bot works in personal chat only: in a team channel or a group chat it stays silent,
    so nobody there learns who might be asking for help."""
    for text in ("support", "help", "is anyone on call?"):
        activity = teams.activity("ana", text=text)
        activity["conversation"] = {
            **activity["conversation"],
            "id": f"19:{conversation_type}@thread.v2",
            "conversationType": conversation_type,
        }
        response = await teams.post(activity)
        assert response.status in (200, 201)
    await teams.run_jobs()
    assert teams.connector.calls == []
    assert await count(teams, SupportRequest) == 0


async def test_with_the_database_down_support_still_gets_the_form(
    teams: TeamsWorld, monkeypatch: pytest.MonkeyPatch
):
    """Recording the activity (against redelivery) needs the database; answering does not."""
    await teams.install("ana")

    async def down(*_args: object, **_kwargs: object) -> bool:
        raise OperationalError("INSERT", {}, ConnectionRefusedError("database down"))

    monkeypatch.setattr("bot.teams.bot.first_time", down)
    card = await teams.say("ana", "support")
    assert verbs(card) == ["intake.submit"]
