"""What the bot tells requesters and peers on Teams is true: a decline does not claim a
colleague took the request, and a closed case names the day of the first check-in."""

from __future__ import annotations

from tests.teams.conftest import TeamsWorld, card_text
from tests.teams.test_flow import ask, offer_id, offers_to, on_call


async def test_a_decline_with_nobody_left_does_not_claim_a_colleague_has_it(teams: TeamsWorld):
    await on_call(teams, "pia")
    await ask(teams, "rita")
    [offer] = offers_to(teams, "pia")
    declined = card_text(await teams.click("pia", "offer.decline", {"value": offer_id(offer)}))
    assert "asking others" in declined and "gone to a colleague" not in declined


async def test_a_closed_case_names_the_day_of_the_first_check_in(teams: TeamsWorld):
    await on_call(teams, "pia")
    await ask(teams, "rita")
    [offer] = offers_to(teams, "pia")
    accepted = await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    [close] = [action for action in accepted["actions"] if action["verb"] == "request.close"]
    await teams.click("pia", "request.close", close["data"])
    await teams.run_jobs()
    told = card_text(teams.inbox("rita")[-1].card)
    assert "I will check in with you on Tuesday 24 November" in told


async def test_the_acknowledgement_stops_saying_a_peer_is_being_asked_once_one_accepted(
    teams: TeamsWorld,
):
    await on_call(teams, "pia")
    await ask(teams, "rita")
    [ack] = [call for call in teams.inbox("rita") if "request.withdraw" in str(call.card)]
    [offer] = offers_to(teams, "pia")
    await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    await teams.run_jobs()
    [update] = [
        call
        for call in teams.connector.updates("a:personal-rita")
        if call.activity_id == ack.activity_id
    ]
    text = card_text(update.card)
    assert "being asked" not in text and "has accepted" in text and "988" in text
    assert "request.withdraw" not in str(update.card)


async def test_talk_again_opens_the_form_filled_in_in_the_check_ins_place(teams: TeamsWorld):
    await on_call(teams, "pia")
    await ask(teams, "rita", category="patient_death", contact="chat")
    [offer] = offers_to(teams, "pia")
    accepted = await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    [close] = [action for action in accepted["actions"] if action["verb"] == "request.close"]
    await teams.click("pia", "request.close", close["data"])
    await teams.run_jobs()
    teams.clock.advance(days=1)
    await teams.run_jobs()
    check_in = teams.inbox("rita")[-1].card
    assert "About case " in card_text(check_in)
    [talk] = [
        action
        for action in check_in["actions"]
        + [a for b in check_in["body"] for a in b.get("actions", [])]
        if action.get("verb") == "checkin.talk_again"
    ]
    form = await teams.click("rita", "checkin.talk_again", talk["data"])
    inputs = {}

    def walk(node):
        if isinstance(node, dict):
            if node.get("type", "").startswith("Input.") and "value" in node:
                inputs[node["id"]] = node["value"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(form)
    assert inputs["category"] == "patient_death" and inputs["contact"] == "chat"
    assert inputs["urgency"] == "today"


async def close_a_case(teams: TeamsWorld) -> None:
    await ask(teams, "rita")
    offer = offers_to(teams, "pia")[-1]
    accepted = await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    [close] = [action for action in accepted["actions"] if action["verb"] == "request.close"]
    await teams.click("pia", "request.close", close["data"])
    await teams.run_jobs()


async def test_check_ins_of_two_cases_are_one_open_check_in_naming_both(teams: TeamsWorld):
    await on_call(teams, "pia")
    await close_a_case(teams)
    teams.clock.advance(days=1)
    await teams.run_jobs()
    first = teams.inbox("rita")[-1]  # the first case's day-1 check-in, left unanswered
    await close_a_case(teams)
    teams.clock.advance(days=1)
    await teams.run_jobs()

    merged = teams.inbox("rita")[-1].card
    assert "About your cases " in card_text(merged) and "checkin.stop" in str(merged)
    [retired] = [
        call
        for call in teams.connector.updates("a:personal-rita")
        if call.activity_id == first.activity_id
    ]
    assert "covers this case too" in card_text(retired.card)
    assert "checkin.stop" not in str(retired.card)
    [stop] = [
        action
        for action in merged["actions"] + [a for b in merged["body"] for a in b.get("actions", [])]
        if action.get("verb") == "checkin.stop"
    ]
    stopped = card_text(await teams.click("rita", "checkin.stop", stop["data"]))
    assert "no more check-ins about cases " in stopped
