"""A peer on Teams switches themselves unavailable by writing "unavailable" (or "no
disponible"), and picks when they will be back; routing skips them until then, and they are
made available again, and told, when it comes."""

from __future__ import annotations

from models import Tier
from tests.teams.conftest import TeamsWorld, actions_of, card_text, verbs
from tests.teams.test_flow import ask, offers_to, on_call


async def test_unavailable_with_a_return_time_then_back_by_itself(teams: TeamsWorld):
    await on_call(teams, "pia")
    away = await teams.say("pia", "unavailable")
    assert "You are now unavailable" in card_text(away)
    assert "When will you be back?" in card_text(away)
    assert verbs(away) == ["peer.return"] * 3
    [tomorrow] = [a["data"] for a in actions_of(away) if a["title"] == "Back tomorrow"]
    until = await teams.click("pia", "peer.return", tomorrow)
    assert "Unavailable until Tue 24 Nov, 08:00" in card_text(until)  # the hospital is on UTC

    await ask(teams, "rita")
    assert offers_to(teams, "pia") == []  # away: skipped
    teams.clock.advance(hours=18)  # Tuesday 08:00
    await teams.run_jobs()
    assert "Welcome back" in card_text(teams.inbox("pia")[-1].card)
    back = await teams.say("pia", "available")
    assert "available" in card_text(back).lower() and verbs(back) == []


async def test_the_switch_speaks_spanish_and_is_only_for_peers(teams: TeamsWorld):
    teams.user("paz", locale="es-ES")
    await on_call(teams, "paz", tier=Tier.PEER)
    away = await teams.say("paz", "no disponible")
    assert "¿Cuándo vuelves?" in card_text(away) and "Vuelvo mañana" in card_text(away)
    await teams.install("rita")
    refused = await teams.say("rita", "unavailable")
    assert "Only peers on the roster" in card_text(refused) and verbs(refused) == []
