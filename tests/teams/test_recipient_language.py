"""Every message goes out in its recipient's language: a Teams peer whose client speaks Spanish
gets offers, the accepted card and relay receipts in Spanish in an English organisation."""

from __future__ import annotations

from tests.teams.conftest import TeamsWorld, card_text
from tests.teams.test_flow import ask, offer_id, offers_to


async def test_a_spanish_peer_gets_offers_and_receipts_in_spanish(teams: TeamsWorld):
    await teams.install("lucia", locale="es-ES")
    await teams.make_peer("lucia")
    await ask(teams, "rita", anonymous="true", contact="chat")
    [offer] = offers_to(teams, "lucia")
    assert "Un compañero pide apoyo entre iguales" in card_text(offer.card)

    accepted = await teams.click("lucia", "offer.accept", {"value": offer_id(offer)})
    assert "Has aceptado esta solicitud" in card_text(accepted)
    await teams.run_jobs()
    assert "peer supporter has accepted" in card_text(teams.inbox("rita")[-1].card)

    receipt = await teams.say("lucia", "Hola, estoy aquí")
    assert "Mensaje enviado" in card_text(receipt)
