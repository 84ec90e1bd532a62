"""Who to get in touch with: a Teams mention outside anonymous mode, nothing identifying in it."""

from __future__ import annotations

import json
from typing import Any

from tests.teams.conftest import TeamsWorld, card_text
from tests.teams.test_flow import ask, offer_id, offers_to, on_call


def mentions(card: dict[str, Any]) -> list[dict[str, Any]]:
    return card.get("msteams", {}).get("entities", [])


def texts(card: dict[str, Any]) -> list[str]:
    return [block["text"] for block in card["body"] if block.get("type") == "TextBlock"]


async def test_the_accepting_peer_gets_the_requester_as_a_teams_mention(teams: TeamsWorld):
    await on_call(teams, "pia")
    await ask(teams, "rita")
    [offer] = offers_to(teams, "pia")
    assert mentions(offer.card) == []

    accepted = await teams.click("pia", "offer.accept", {"value": offer_id(offer)})

    assert "<at>Rita</at>" in texts(accepted)
    assert mentions(accepted) == [
        {"type": "mention", "text": "<at>Rita</at>", "mentioned": {"id": "29:rita", "name": "Rita"}}
    ]
    await teams.run_jobs()
    connected = teams.inbox("rita")[-1].card
    assert "<at>Pia</at>" in texts(connected)
    assert mentions(connected) == [
        {"type": "mention", "text": "<at>Pia</at>", "mentioned": {"id": "29:pia", "name": "Pia"}}
    ]


async def test_in_anonymous_mode_no_card_identifies_either_side(teams: TeamsWorld):
    await on_call(teams, "pia")
    await ask(teams, "rita", anonymous="true", contact="chat")
    [offer] = offers_to(teams, "pia")
    accepted = await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    await teams.run_jobs()
    await teams.say("rita", "are you there?")
    await teams.say("pia", "yes, I am")
    await teams.run_jobs()

    to_pia = [offer.card, accepted, *(call.card for call in teams.inbox("pia"))]
    to_rita = [call.card for call in teams.inbox("rita")]
    for card in to_pia:
        raw = json.dumps(card).lower()
        assert "rita" not in raw and "<at>" not in raw and mentions(card) == []
    for card in to_rita:
        raw = json.dumps(card).lower()
        assert "pia" not in raw and "<at>" not in raw and mentions(card) == []
    assert "are you there?" in card_text(teams.inbox("pia")[-1].card)
