"""What kind of support a case was, on Teams: the peer's optional question once the case ends,
answered in place, counted once (end to end through /api/messages)."""

from __future__ import annotations

from sqlalchemy import select

from models import EncounterAnswer
from tests.teams.conftest import TeamsWorld, actions_of, card_text, verbs
from tests.teams.test_flow import ask, offer_id, offers_to, on_call


async def test_the_peer_answers_in_place_and_it_is_counted_once(teams: TeamsWorld):
    await on_call(teams, "pia")
    await ask(teams, "rita")
    [offer] = offers_to(teams, "pia")
    accepted = await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    [close] = [action for action in actions_of(accepted) if action["verb"] == "request.close"]
    await teams.click("pia", "request.close", close["data"])
    await teams.run_jobs()
    question = teams.inbox("pia")[-1]
    assert verbs(question.card) == ["encounter.kind"] * 4
    assert "Practical help" in card_text(question.card)
    [practical] = [
        action["data"]
        for action in actions_of(question.card)
        if action["data"]["value"].endswith(":practical")
    ]
    answered = await teams.click("pia", "encounter.kind", practical)
    assert 'Counted as "Practical help"' in card_text(answered) and verbs(answered) == []
    again = await teams.click("pia", "encounter.kind", practical)  # a second click
    assert "already counted" in card_text(again)
    async with teams.runtime.database.session() as session:
        kinds = list(await session.scalars(select(EncounterAnswer.kind)))
    assert kinds == ["practical"]
