"""What Microsoft 365 administrators can still see, said on Teams where people decide what to
write: the help card, the intake card, the form's acknowledgement and the connection, in English
and Spanish; never Slack's export wording."""

from __future__ import annotations

from tests.teams.conftest import TeamsWorld, card_text
from tests.teams.test_flow import ask, offer_id, offers_to, on_call

TEAMS_CAVEAT = "Microsoft 365 administrators can keep and search chats"
TEAMS_CAVEAT_ES = "Los administradores de Microsoft 365 pueden conservar y buscar los chats"


async def test_teams_help_and_form_warn_of_retention_and_ediscovery(teams: TeamsWorld) -> None:
    await teams.install("ana")
    help_card = card_text(await teams.say("ana", "help"))
    form = card_text(await teams.say("ana", "support"))
    for text in (help_card, form):
        assert TEAMS_CAVEAT in text and "eDiscovery" in text
        assert "export direct messages" not in text


async def test_teams_caveat_is_in_spanish_for_spanish_teams(teams: TeamsWorld) -> None:
    await teams.install("eva", locale="es-ES")
    assert TEAMS_CAVEAT_ES in card_text(await teams.say("eva", "ayuda"))
    assert TEAMS_CAVEAT_ES in card_text(await teams.say("eva", "apoyo"))


async def test_teams_acknowledgement_and_connection_carry_the_caveat(teams: TeamsWorld) -> None:
    await on_call(teams, "pia")
    await ask(teams, "rita")
    acknowledgement = next(
        call for call in teams.inbox("rita") if "request.withdraw" in str(call.card)
    )
    assert TEAMS_CAVEAT in card_text(acknowledgement.card)
    [offer] = offers_to(teams, "pia")
    await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    await teams.run_jobs()
    connected = teams.inbox("rita")[-1]
    assert TEAMS_CAVEAT in card_text(connected.card)
