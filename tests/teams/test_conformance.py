"""Cards as Teams shows them (end to end through /api/messages, on both databases): a row of
buttons per question with the opt-out always in sight, Teams' own words for who can read the
chats. (Microsoft's renderer checks every card of every Teams test: tests/teams/renderer.)"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update

from models import Organisation
from tests.teams.conftest import TeamsWorld, actions_of, card_text
from tests.teams.renderer import CardRenderer
from tests.teams.test_flow import ask, offer_id, offers_to, on_call

TEAMS_CAVEAT = "Microsoft 365 administrators"
SLACK_CAVEAT = "Workspace administrators"


def rows(card: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(the text just above, the button titles) of each action set in the card's body."""
    found: list[tuple[str, list[str]]] = []
    above = ""
    for item in card["body"]:
        if item["type"] == "TextBlock":
            above = item["text"]
        elif item["type"] == "ActionSet":
            found.append((above, [action["title"] for action in item["actions"]]))
    return found


async def pulse_cards(teams: TeamsWorld, people: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The weekly pulse, with its second question, as each of `people` (name: locale) gets it."""
    for name, locale in people.items():
        await teams.install(name, locale)
        await teams.say(name, "pulse on")
    async with teams.runtime.database.session() as session, session.begin():
        await session.execute(update(Organisation).values(pulse_second_question=True))
    teams.clock.now = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # Wednesday 11:00 UTC
    assert await teams.runtime.pulses.open_due_rounds() == 1
    await teams.run_jobs()
    teams.clock.advance(minutes=1)  # sends are paced
    await teams.run_jobs()
    cards = {}
    for name in people:
        [pulse] = [c for c in teams.inbox(name) if "pulse.answer" in str(c.card)]
        cards[name] = pulse.card
    return cards


def test_the_renderer_faults_what_teams_hides(card_renderer: CardRenderer):
    """The check can fail: eleven buttons in one row is what Teams cut short."""
    eleven = [{"type": "Action.Execute", "title": str(n), "verb": "x"} for n in range(11)]
    card = {"type": "AdaptiveCard", "version": "1.4", "body": [], "actions": eleven}
    assert any("TooManyActions" in problem for problem in card_renderer.problems(card))


async def test_the_pulse_has_a_row_per_question_and_its_stop_in_sight(teams: TeamsWorld):
    cards = await pulse_cards(teams, {"rita": "en-US", "rosa": "es-ES"})
    for name, stop in (("rita", "Stop the weekly pulse"), ("rosa", "pulso")):
        card = cards[name]
        [(first, one), (second, two)] = rows(card)
        assert one == two == ["1", "2", "3", "4", "5"]
        assert first != second  # each row right under its own question
        own = [action["title"] for action in card["actions"]]
        assert len(own) <= 5 and any(stop in title for title in own), own


async def test_a_check_in_keeps_stop_these_messages_in_sight(teams: TeamsWorld):
    await on_call(teams, "pia")
    await ask(teams, "rita")
    [offer] = offers_to(teams, "pia")
    accepted = await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    close = next(a for a in actions_of(accepted) if a["verb"] == "request.close")
    await teams.click("pia", "request.close", close["data"])
    teams.clock.advance(days=1)
    await teams.run_jobs()
    [check_in] = [c for c in teams.inbox("rita") if "checkin.score" in str(c.card)]
    [(question, scores)] = rows(check_in.card)
    assert scores == ["1", "2", "3", "4", "5"] and "How are you" in str(check_in.card)
    verbs = [a["verb"] for a in check_in.card["actions"]]
    assert verbs[0] == "checkin.talk_again" and "checkin.stop" in verbs and len(verbs) <= 5


async def test_teams_says_who_can_read_teams_chats(teams: TeamsWorld):
    await teams.install("rita")
    assert TEAMS_CAVEAT in card_text(await teams.say("rita", "help"))
    await on_call(teams, "pia")
    await ask(teams, "rita")
    acknowledgement = [card_text(c.card) for c in teams.inbox("rita") if "Withdraw" in str(c.card)]
    assert acknowledgement and all(TEAMS_CAVEAT in text for text in acknowledgement)
    [offer] = offers_to(teams, "pia")
    await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    await teams.run_jobs()
    everything = "\n".join(card_text(call.card) for call in teams.inbox("rita"))
    assert SLACK_CAVEAT not in everything and "Slack" not in everything
    await teams.install("rosa", "es-ES")
    assert "administradores de Microsoft 365" in card_text(await teams.say("rosa", "ayuda"))
