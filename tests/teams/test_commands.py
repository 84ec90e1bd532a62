"""Typed commands and the check-in and pulse buttons, on Teams end to end."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from models import ChatIdentity, FollowUpAnswer, PulseAnswer
from tests.teams.conftest import TeamsWorld, actions_of, card_text, verbs
from tests.teams.test_flow import ask, offer_id, offers_to, on_call


async def identity_count(teams: TeamsWorld) -> int:
    async with teams.runtime.database.session() as session:
        return len(list(await session.scalars(select(ChatIdentity))))


async def test_pulse_opt_in_and_out_by_typing(teams: TeamsWorld) -> None:
    await teams.install("rita")
    assert "will get the weekly wellbeing pulse" in card_text(await teams.say("rita", "pulse on"))
    assert "no longer get" in card_text(await teams.say("rita", "Pulso no"))


async def test_a_pulse_answer_is_a_click(teams: TeamsWorld) -> None:
    await teams.install("rita")
    await teams.say("rita", "pulse on")
    teams.clock.now = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # Wednesday 11:00 UTC
    assert await teams.runtime.pulses.open_due_rounds() == 1
    await teams.run_jobs()
    [pulse] = [call for call in teams.inbox("rita") if "pulse.answer" in verbs(call.card)]
    four = next(a for a in actions_of(pulse.card) if a["title"] == "4")
    answer = await teams.click("rita", "pulse.answer", four["data"])
    assert "counted anonymously" in card_text(answer)
    again = await teams.click("rita", "pulse.answer", four["data"])
    assert "already answered" in card_text(again)
    async with teams.runtime.database.session() as session:
        assert [a.score for a in await session.scalars(select(PulseAnswer))] == [4]


async def test_a_check_in_after_close_is_answered_with_a_click(teams: TeamsWorld) -> None:
    await on_call(teams, "pia")
    await ask(teams, "rita")
    [offer] = offers_to(teams, "pia")
    accepted = await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    await teams.click("pia", "request.close", accepted["actions"][0]["data"])
    teams.clock.advance(days=1)
    await teams.run_jobs()
    [check_in] = [c for c in teams.inbox("rita") if "checkin.score" in verbs(c.card)]
    five = next(a for a in actions_of(check_in.card) if a["title"] == "5")
    assert "Thank you for answering" in card_text(
        await teams.click("rita", "checkin.score", five["data"])
    )
    async with teams.runtime.database.session() as session:
        assert [a.score for a in await session.scalars(select(FollowUpAnswer))] == [5]


async def test_forged_button_values_change_nothing(teams: TeamsWorld) -> None:
    await teams.install("rita")
    for verb, value in [("checkin.score", "x:9"), ("pulse.answer", "1:2"), ("no.such", "1")]:
        answer = await teams.click("rita", verb, {"value": value})
        assert "no longer works" in card_text(answer)


async def test_forget_me_by_typing(teams: TeamsWorld) -> None:
    await teams.install("rita")
    before = await identity_count(teams)
    question = await teams.say("rita", "forget me")
    assert "Erase your data?" in card_text(question) and await identity_count(teams) == before
    answer = await teams.click("rita", "forget.confirm", {"value": ""})
    assert "Your data has been erased" in card_text(answer)
    assert await identity_count(teams) == before - 1
