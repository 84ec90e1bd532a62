"""Proactive delivery: rate limits and server errors are retried; Slack and Teams share a roster."""

from __future__ import annotations

from sqlalchemy import select

from bot.teams.adapter import adapter_config
from config.settings import ConfigError
from handlers.core.people import Person
from handlers.support.intake import IntakeForm
from models import ChatIdentity, Workspace
from tests.fakes import FakeMessenger
from tests.teams.conftest import TeamsWorld, card_text, teams_settings, verbs
from tests.teams.test_flow import offer_id, offers_to, on_call
from tests.teams.test_intake import FORM


def record_sleeps(teams: TeamsWorld) -> list[float]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    # one policy serves the messenger and the bot's replies
    teams.runtime.messengers.for_platform("teams").retry.sleep = sleep
    return slept


def acknowledgements(teams: TeamsWorld, name: str) -> list[object]:
    return [call for call in teams.inbox(name) if "request.withdraw" in verbs(call.card)]


async def submit(teams: TeamsWorld, name: str, *failures: tuple[int, dict[str, str]]) -> None:
    """Ask for support; the connector answers the first proactive calls with `failures`."""
    await teams.install(name)
    await teams.say(name, "support")
    await teams.click(name, "intake.submit", {**FORM})
    for status, headers in failures:
        teams.connector.fail_next(status, headers)
    await teams.run_jobs()


async def test_a_429_is_retried_after_retry_after_and_the_card_arrives_once(teams: TeamsWorld):
    slept = record_sleeps(teams)
    await on_call(teams, "pia")
    await submit(teams, "rita", (429, {"Retry-After": "3"}))

    assert teams.connector.refused == 1
    assert slept == [3.0]
    assert len(offers_to(teams, "pia")) == 1
    assert len(acknowledgements(teams, "rita")) == 1


async def test_server_errors_are_retried_with_backoff(teams: TeamsWorld):
    slept = record_sleeps(teams)
    await on_call(teams, "pia")
    await teams.install("rita")
    await teams.say("rita", "support")
    await teams.click("rita", "intake.submit", {**FORM})
    # both failures on the offer's call: the confirmation runs beside it and must not take one
    pia = teams.user("pia").conversation_id
    teams.connector.fail_next_in(pia, 502)
    teams.connector.fail_next_in(pia, 503)
    await teams.run_jobs()

    assert slept == [1.0, 2.0]
    assert len(offers_to(teams, "pia")) == 1
    assert len(acknowledgements(teams, "rita")) == 1


async def test_a_long_retry_after_is_left_to_the_job_engine(teams: TeamsWorld):
    slept = record_sleeps(teams)
    await on_call(teams, "pia")
    await submit(teams, "rita", (429, {"Retry-After": "600"}))  # too long to block a job
    assert slept == []
    delivered = len(offers_to(teams, "pia")) + len(acknowledgements(teams, "rita"))
    assert delivered == 1  # one of the two waits for the job engine's retry

    teams.clock.advance(seconds=30)
    await teams.run_jobs()
    assert len(offers_to(teams, "pia")) == 1
    assert len(acknowledgements(teams, "rita")) == 1


async def test_a_reply_in_the_chat_is_retried_too(teams: TeamsWorld):
    slept = record_sleeps(teams)
    teams.connector.fail_next(429, {"Retry-After": "1"})
    card = await teams.say("ana", "help")
    assert verbs(card) == ["support.start", "pulse.opt"]
    assert slept == [1.0]


async def ask_from_slack(teams: TeamsWorld) -> FakeMessenger:
    """Sam, on a Slack workspace of the same organisation, asks for support; returns the
    messenger that records what Sam is sent."""
    slack = FakeMessenger("slack")
    teams.runtime.messengers.register("slack", slack)
    async with teams.runtime.database.session() as session, session.begin():
        organisation_id = await session.scalar(select(ChatIdentity.organisation_id))
        session.add(
            Workspace(platform="slack", tenant_id="T0SLACK", organisation_id=organisation_id)
        )
    sam = Person(platform="slack", tenant_id="T0SLACK", user_id="USAM", display_name="Sam")
    form = IntakeForm.model_validate({"urgency": "now", "category": "violence", "contact": "chat"})
    await teams.runtime.requests.request_support(sam, form)
    await teams.run_jobs()
    return slack


async def test_a_teams_peer_accepts_a_request_made_on_slack(teams: TeamsWorld):
    await on_call(teams, "pia")
    slack = await ask_from_slack(teams)

    assert slack.kinds_to("USAM") == ["intake.ack"]
    [offer] = offers_to(teams, "pia")
    assert "Sam" not in card_text(offer.card)
    accepted = await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    assert "Sam" in card_text(accepted)
    assert "msteams" not in accepted  # a Slack user cannot be mentioned on Teams: named only
    await teams.run_jobs()
    assert slack.kinds_to("USAM") == ["intake.ack", "request.connected"]
    assert "Pia" in slack.to("USAM")[-1].message.plain_text()


def test_without_an_app_id_teams_runs_only_when_enabled_in_development_or_tests(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    assert adapter_config(teams_settings(url)).APP_ID == ""
    try:
        adapter_config(teams_settings(url, TEAMS_ENABLED=False))
    except ConfigError as exc:
        assert "MICROSOFT_APP_ID" in str(exc)
    else:
        raise AssertionError("Teams ran without an app id and without TEAMS_ENABLED")
