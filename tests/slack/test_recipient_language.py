"""Every message goes out in its recipient's language: a peer whose Slack speaks Spanish gets
offers, the accepted card and relay receipts in Spanish, though the organisation speaks English
and the roster added them without a language (the CLI, an import)."""

from __future__ import annotations

from tests.slack.conftest import FORM, SlackWorld


async def test_a_spanish_peer_gets_offers_and_receipts_in_spanish(slack: SlackWorld):
    slack.user("lucia", locale="es-ES")
    await slack.make_peer("lucia")
    home = await slack.open_home("lucia")  # the Home speaks her Slack's language...
    assert "Estás de guardia ahora" in str(home)

    await slack.command("rita")
    await slack.submit("rita", {**FORM, "contact": "chat", "options": ["anonymous"]})
    await slack.run_jobs()
    [offer] = slack.offers("lucia")  # ... and so does everything sent to her unasked
    assert "Un compañero pide apoyo entre iguales" in offer.readable
    assert "A colleague would like" not in offer.readable

    await slack.click("lucia", offer, "offer.accept")
    assert "Has aceptado esta solicitud" in slack.now(offer).readable
    await slack.run_jobs()
    rita_view = slack.inbox("rita")[-1]
    assert "peer supporter has accepted" in rita_view.readable  # Rita keeps her English

    receipt = await slack.say("lucia", "Hola, estoy aquí")
    assert "Mensaje enviado" in receipt.readable
    await slack.say("rita", "thank you")
    await slack.run_jobs()
    assert "Mensaje de la persona a la que apoyas" in slack.inbox("lucia")[-1].readable


async def test_a_peer_who_never_opened_the_home_is_answered_in_their_language(
    slack: SlackWorld,
):
    """Her first click brings her language: the card she clicked turns Spanish."""
    slack.user("lucia", locale="es-ES")
    await slack.make_peer("lucia")
    await slack.command("rita")
    await slack.submit("rita", FORM)
    await slack.run_jobs()
    [offer] = slack.offers("lucia")
    await slack.click("lucia", offer, "offer.accept")
    assert "Has aceptado esta solicitud" in slack.now(offer).readable


async def test_a_spanish_person_is_told_spanish_command_words_that_work(slack: SlackWorld):
    slack.user("rita", locale="es-ES")
    on = await slack.say("rita", "pulso sí")
    assert 'escríbeme "pulso no"' in on.readable and "pulse off" not in on.readable
    off = await slack.say("rita", "pulso no")
    assert 'escríbeme "pulso sí"' in off.readable

    await slack.command("rita", "ayuda")
    [help_answer] = slack.api.responses[-1:]
    shown = str(help_answer)
    assert "/support ayuda" in shown and "/support help" not in shown


async def test_a_peer_who_switches_slack_to_spanish_gets_the_next_offer_in_spanish(
    slack: SlackWorld,
):
    """Slack's user_change event carries the new locale: it applies at once, without the peer
    acting first and without waiting for the bot's hour-long memory of her to run out."""
    slack.user("lucia")
    await slack.make_peer("lucia")
    await slack.open_home("lucia")  # the bot knows her, in English
    slack.api.users[slack.user("lucia")].locale = "es-ES"
    user = {"id": slack.user("lucia"), "team_id": slack.team, "locale": "es-ES", "tz": "UTC"}
    assert (await slack.event({"type": "user_change", "user": user})).status == 200

    await slack.command("rita")
    await slack.submit("rita", FORM)
    await slack.run_jobs()
    [offer] = slack.offers("lucia")
    assert "Un compañero pide apoyo entre iguales" in offer.readable
