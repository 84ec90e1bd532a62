"""The support flow on Teams end to end: offers, Accept and Decline in place, relay, close."""

from __future__ import annotations

from typing import Any

from models import Tier
from tests.teams.conftest import TeamsWorld, card_text, verbs
from tests.teams.test_intake import FORM


async def ask(teams: TeamsWorld, name: str, **form: Any) -> None:
    await teams.install(name)
    await teams.say(name, "support")
    await teams.click(name, "intake.submit", {**FORM, **form})
    await teams.run_jobs()


def offers_to(teams: TeamsWorld, name: str) -> list[Any]:
    return [call for call in teams.inbox(name) if "offer.accept" in verbs(call.card)]


def offer_id(call: Any) -> str:
    [accept] = [action for action in call.card["actions"] if action["verb"] == "offer.accept"]
    return accept["data"]["value"]


async def on_call(teams: TeamsWorld, *names: str, tier: Tier = Tier.PEER) -> None:
    for name in names:
        await teams.install(name)
        await teams.make_peer(name, tier)


async def test_offer_accept_update_relay_and_close(teams: TeamsWorld):
    await on_call(teams, "pia", "paz")
    await ask(teams, "rita", anonymous="true", contact="chat", note="long night")

    [pia_offer], [paz_offer] = offers_to(teams, "pia"), offers_to(teams, "paz")
    for offer in (pia_offer, paz_offer):
        text = card_text(offer.card)
        assert "Rita" not in text and "aad-rita" not in text and "long night" not in text
        assert verbs(offer.card) == ["offer.accept", "offer.decline"]

    accepted = await teams.click("pia", "offer.accept", {"value": offer_id(pia_offer)})
    assert verbs(accepted) == ["request.close"]
    assert "Rita" not in card_text(accepted)  # anonymous: the bot relays

    await teams.run_jobs()
    [update] = teams.connector.updates("a:personal-paz")
    assert update.activity_id == paz_offer.activity_id
    assert "offer.accept" not in verbs(update.card)
    assert verbs(update.card) == []
    connected = teams.inbox("rita")[-1]
    assert verbs(connected.card) == ["request.close"]
    assert "Pia" not in card_text(connected.card)

    # a double click on Accept gives the same answer and changes nothing
    again = await teams.click("pia", "offer.accept", {"value": offer_id(pia_offer)})
    assert verbs(again) == ["request.close"]

    sent = await teams.say("rita", "thank you for taking this")
    assert "passed on" in card_text(sent).lower()
    await teams.run_jobs()
    relayed = teams.inbox("pia")[-1]
    assert "thank you for taking this" in card_text(relayed.card)
    assert "Rita" not in card_text(relayed.card)

    message = teams.activity("pia", text="I am here, call me when you can")
    for _ in range(2):  # the channel delivers the same activity again: relayed once
        assert (await teams.post(message)).status in (200, 201)
    await teams.run_jobs()
    relayed_back = [c for c in teams.inbox("rita") if "call me when you can" in card_text(c.card)]
    assert len(relayed_back) == 1
    back = teams.inbox("rita")[-1]
    assert "I am here, call me when you can" in card_text(back.card)
    assert "Pia" not in card_text(back.card)

    close_value = connected.card["actions"][0]["data"]["value"]
    closed = await teams.click("rita", "request.close", {"value": close_value})
    assert verbs(closed) == []
    await teams.run_jobs()
    closed_notice, wellbeing, encounter = teams.inbox("pia")[-3:]
    assert "closed" in card_text(closed_notice.card).lower()
    assert verbs(wellbeing.card) == ["peer.ok", "peer.debrief"]
    assert verbs(encounter.card) == ["encounter.kind"] * 4
    thanks = await teams.click(
        "pia", "peer.ok", {"value": wellbeing.card["actions"][0]["data"]["value"]}
    )
    assert "coordinator is there" in card_text(thanks)

    after = await teams.say("rita", "one more thing")
    assert verbs(after) == ["support.start"]  # nothing open any more: not passed on


async def test_the_accepting_peer_learns_who_asked_outside_anonymous_mode(teams: TeamsWorld):
    await on_call(teams, "pia")
    await ask(teams, "rita", note="after the code blue")
    [offer] = offers_to(teams, "pia")
    assert "Rita" not in card_text(offer.card)

    accepted = await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    assert "Rita" in card_text(accepted)
    assert "after the code blue" in card_text(accepted)
    await teams.run_jobs()
    assert "Pia" in card_text(teams.inbox("rita")[-1].card)


async def test_decline_then_escalation_to_the_backup_tier(teams: TeamsWorld):
    await on_call(teams, "pia", "paz")
    await on_call(teams, "bo", tier=Tier.BACKUP)
    await ask(teams, "rita", urgency="now")
    assert offers_to(teams, "bo") == []

    declined = await teams.click(
        "pia", "offer.decline", {"value": offer_id(offers_to(teams, "pia")[0])}
    )
    assert verbs(declined) == []
    await teams.run_jobs()
    assert offers_to(teams, "bo") == []  # paz still has the offer

    teams.clock.advance(minutes=11)  # "now" requests time out after 10 minutes
    await teams.run_jobs()
    [backup_offer] = offers_to(teams, "bo")
    assert "Rita" not in card_text(backup_offer.card)

    accepted = await teams.click("bo", "offer.accept", {"value": offer_id(backup_offer)})
    assert verbs(accepted) == ["request.close"]
    await teams.run_jobs()
    [paz_update] = teams.connector.updates("a:personal-paz")  # the earlier tier's open offer
    assert verbs(paz_update.card) == []
    assert teams.connector.updates("a:personal-pia") == []  # declined: replaced by the click


async def test_withdraw_updates_the_offers(teams: TeamsWorld):
    await on_call(teams, "pia")
    await ask(teams, "rita")
    [ack] = [call for call in teams.inbox("rita") if "request.withdraw" in verbs(call.card)]
    value = ack.card["actions"][0]["data"]["value"]

    withdrawn = await teams.click("rita", "request.withdraw", {"value": value})
    assert verbs(withdrawn) == []
    await teams.run_jobs()
    [update] = teams.connector.updates("a:personal-pia")
    assert verbs(update.card) == []
    late = await teams.click("pia", "offer.accept", {"value": offer_id(offers_to(teams, "pia")[0])})
    assert verbs(late) == []


async def test_a_peer_cannot_answer_someone_elses_offer(teams: TeamsWorld):
    await on_call(teams, "pia")
    await ask(teams, "rita")
    await teams.install("mallory")
    stolen = await teams.click(
        "mallory", "offer.accept", {"value": offer_id(offers_to(teams, "pia")[0])}
    )
    assert verbs(stolen) == []
    again = await teams.click(
        "pia", "offer.accept", {"value": offer_id(offers_to(teams, "pia")[0])}
    )
    assert verbs(again) == ["request.close"]
