"""The bot sends content to nobody but Teams: during a whole anonymous case (the form, the
offer, accept, a relay, close and a check-in), every request the bot sends goes to the Bot
Connector's service URL (here, its fake on loopback)."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.privacy.outgoing import hosts, outgoing
from tests.teams.conftest import TeamsWorld
from tests.teams.test_flow import ask, offer_id, offers_to, on_call

__all__ = ["outgoing"]  # the fixture


async def test_a_whole_teams_case_talks_to_the_bot_connector_alone(
    teams: TeamsWorld, outgoing: list[str]
) -> None:
    await on_call(teams, "pia")
    await ask(teams, "rita", anonymous="true", contact="chat")
    [offer] = offers_to(teams, "pia")
    accepted = await teams.click("pia", "offer.accept", {"value": offer_id(offer)})
    await teams.say("rita", "thank you for taking this")
    await teams.click("pia", "request.close", accepted["actions"][0]["data"])
    teams.clock.advance(days=1)
    await teams.run_jobs()
    to_bot = [url for url in outgoing if "/api/messages" in url]
    sent = [url for url in outgoing if url not in to_bot]
    assert any("/v3/conversations" in url for url in sent)
    assert hosts(sent) == {urlsplit(teams.service_url).netloc}
