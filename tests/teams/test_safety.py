"""Someone at risk, on Teams end to end: risk typed in the chat, crisis lines first and never
taken away (an update keeps them, a click on their card is answered below it), low check-ins,
the coordinator's "I will make contact", anonymous mode, and the organisation's own lines with
the database down."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from models import Organisation, SupportRequest, Tier
from tests.fakes import database_down
from tests.teams.conftest import TeamsWorld, actions_of, card_text, verbs
from tests.teams.test_flow import ask, offer_id, offers_to, on_call


def crisis_container(card: dict[str, Any]) -> dict[str, Any] | None:
    return next(
        (item for item in card["body"] if item.get("type") == "Container" and item.get("style")),
        None,
    )


def crisis_first(card: dict[str, Any]) -> bool:
    return card["body"][0] is crisis_container(card)


def action(card: dict[str, Any], verb: str) -> dict[str, Any]:
    return next(item for item in card["actions"] if item["verb"] == verb)


async def click_keeping(teams: TeamsWorld, name: str, verb: str, data: dict[str, Any]) -> str:
    """A click on a card that shows crisis lines: Teams keeps the card and shows a short text;
    the answer comes as a new message."""
    value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}}
    activity = teams.activity(name, "invoke", name="adaptiveCard/action", value=value)
    response = await teams.post(activity)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["type"] == "application/vnd.microsoft.activity.message", body
    return body["value"]


async def requests(teams: TeamsWorld) -> list[SupportRequest]:
    async with teams.runtime.database.session() as session:
        return list(await session.scalars(select(SupportRequest)))


async def test_risk_typed_in_the_chat_gets_crisis_lines_and_a_professional(teams: TeamsWorld):
    await on_call(teams, "pia")
    await on_call(teams, "pat", tier=Tier.PROFESSIONAL)
    await teams.install("rita")
    answer = await teams.say("rita", "Quiero quitarme la vida")
    assert crisis_first(answer) and "988" in card_text(answer)
    await teams.run_jobs()
    [request] = await requests(teams)
    assert request.crisis and request.urgency == "now"
    [pat_offer] = offers_to(teams, "pat")
    assert "Crisis request" in card_text(pat_offer.card)
    assert "Rita" not in card_text(pat_offer.card) and "aad-rita" not in card_text(pat_offer.card)


async def test_a_crisis_form_is_answered_with_the_lines_first(teams: TeamsWorld):
    await on_call(teams, "pia")
    await teams.install("rita")
    await teams.say("rita", "support")
    from tests.teams.test_intake import FORM

    received = await teams.click("rita", "intake.submit", {**FORM, "crisis": "true"})
    assert crisis_first(received)  # the form's own answer, before anything is queued
    await teams.run_jobs()
    ack = teams.inbox("rita")[-1].card
    assert crisis_first(ack) and "within 10 minutes" in card_text(ack)


async def test_closing_keeps_the_crisis_lines_and_withdraw_never_replaces_them(
    teams: TeamsWorld,
):
    await on_call(teams, "pia")
    await ask(teams, "rita")
    ack = next(c for c in teams.inbox("rita") if "request.withdraw" in verbs(c.card))
    withdraw = action(ack.card, "request.withdraw")
    assert withdraw["data"]["keep"] is True  # the card shows crisis lines: it stays as it is
    note = await click_keeping(teams, "rita", "request.withdraw", withdraw["data"])
    assert note == "My answer is below."
    assert "withdrawn" in card_text(teams.inbox("rita")[-1].card)
    await teams.run_jobs()
    [ack_update] = [u for u in teams.connector.updates(ack.conversation_id)
                    if u.activity_id == ack.activity_id]  # fmt: skip
    assert crisis_container(ack_update.card) and "988" in card_text(ack_update.card)
    assert "withdrawn" in card_text(ack_update.card) and verbs(ack_update.card) == []


async def test_a_low_check_in_shows_crisis_lines_and_asking_keeps_them(teams: TeamsWorld):
    await on_call(teams, "pia")
    await ask(teams, "rita")
    [offer] = offers_to(teams, "pia")
    accepted = await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    await teams.click("pia", "request.close", accepted["actions"][0]["data"])
    teams.clock.advance(days=1)
    await teams.run_jobs()
    [check_in] = [c for c in teams.inbox("rita") if "checkin.score" in verbs(c.card)]
    two = next(a for a in actions_of(check_in.card) if a["title"] == "2")
    low = await teams.click("rita", "checkin.score", two["data"])
    assert crisis_container(low) and "988" in card_text(low)
    start = action(low, "support.start")
    await click_keeping(teams, "rita", "support.start", start["data"])
    form = teams.inbox("rita")[-1].card
    assert "intake.submit" in verbs(form)  # the form came as a new message, below


async def test_a_coordinator_makes_contact_from_the_alert(teams: TeamsWorld):
    await on_call(teams, "cy", tier=Tier.COORDINATOR)
    async with teams.runtime.database.session() as session, session.begin():
        from models import Override

        await session.execute(Override.__table__.delete())  # on the roster, not on call
    await ask(teams, "rita")
    [alert] = [c for c in teams.inbox("cy") if "request.take" in verbs(c.card)]
    taken = await teams.click("cy", "request.take", action(alert.card, "request.take")["data"])
    assert "You accepted this request" in card_text(taken) and "Rita" in card_text(taken)
    await teams.run_jobs()
    assert "will phone you" in card_text(teams.inbox("rita")[-1].card)


async def test_anonymous_with_a_phone_call_is_sent_back_with_the_reason(teams: TeamsWorld):
    await teams.install("rita")
    await teams.say("rita", "support")
    from tests.teams.test_intake import FORM

    again = await teams.click("rita", "intake.submit", {**FORM, "anonymous": "true"})
    assert "intake.submit" in verbs(again) and "choose Chat" in card_text(again)
    assert await requests(teams) == []


async def test_database_down_a_british_hospital_still_shows_its_own_lines(teams: TeamsWorld):
    await teams.install("rita")
    async with teams.runtime.database.session() as session, session.begin():
        await session.execute(update(Organisation).values(country="GB"))
    await teams.runtime.core.known.load()  # what every web process does when it starts
    with database_down(teams.runtime.database):
        answer = await teams.say("rita", "I want to kill myself")
    for task in teams.runtime.disclosures._retries:
        task.cancel()
    assert crisis_first(answer)
    assert "Samaritans" in card_text(answer) and "999" in card_text(answer)
    assert "988" not in card_text(answer)


async def test_risk_in_an_anonymous_relay_reaches_the_peer_flagged(teams: TeamsWorld):
    await on_call(teams, "pia")
    await on_call(teams, "pat", tier=Tier.PROFESSIONAL)
    await ask(teams, "rita", anonymous="true", contact="chat")
    [offer] = offers_to(teams, "pia")
    await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    await teams.run_jobs()
    answer = await teams.say("rita", "no quiero seguir viviendo")
    assert crisis_first(answer) and "Passed on" in card_text(answer)
    await teams.run_jobs()
    relayed = teams.inbox("pia")[-1].card
    assert "no quiero seguir viviendo" in card_text(relayed) and "⚠" in card_text(relayed)
    assert crisis_container(relayed) and "Rita" not in card_text(relayed)
    [alert] = [c for c in teams.inbox("pat") if "possible risk" in card_text(c.card)]
    assert "Rita" not in card_text(alert.card) and "aad-rita" not in str(alert.card)


async def test_the_requester_hears_when_more_colleagues_are_asked(teams: TeamsWorld):
    await on_call(teams, "pia")
    await on_call(teams, "bo", tier=Tier.BACKUP)
    await ask(teams, "rita", urgency="now")
    teams.clock.advance(minutes=11)
    await teams.run_jobs()
    [told] = [c for c in teams.inbox("rita") if "asking more colleagues" in card_text(c.card)]
    assert crisis_container(told.card) and "988" in card_text(told.card)
    assert offers_to(teams, "bo")


async def test_a_phone_number_is_shown_to_the_accepting_peer_alone(teams: TeamsWorld):
    await on_call(teams, "pia")
    await ask(teams, "rita", phone="+1 312 555 0142")
    [offer] = offers_to(teams, "pia")
    assert "555 0142" not in card_text(offer.card)
    accepted = await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    assert "+1 312 555 0142" in card_text(accepted) and "Please phone" in card_text(accepted)
