"""The bot sends content to nobody but Slack: during a whole anonymous case (the form, the
offer, accept, a relay both ways, close and a check-in), every request the bot sends goes to
Slack's Web API (here, its fake on loopback)."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.privacy.outgoing import hosts, outgoing
from tests.slack.conftest import FORM, SlackWorld

__all__ = ["outgoing"]  # the fixture


async def test_a_whole_slack_case_talks_to_slacks_api_alone(
    slack: SlackWorld, outgoing: list[str]
) -> None:
    await slack.make_peer("pia")
    await slack.command("rita")
    await slack.submit("rita", {**FORM, "contact": "chat", "options": ["anonymous"]})
    await slack.run_jobs()
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.run_jobs()
    await slack.event(slack.dm_event("rita", "thank you for taking this"))
    await slack.event(slack.dm_event("pia", "would a chat at 5 suit you?"))
    await slack.run_jobs()
    await slack.click("pia", slack.now(offer), "request.close")
    slack.clock.advance(days=1, hours=3)
    await slack.run_jobs()
    to_bot = [url for url in outgoing if url.startswith(str(slack.client.make_url("/")))]
    sent = [url for url in outgoing if url not in to_bot]  # what the bot itself sent
    assert any(url.endswith("chat.postMessage") for url in sent)
    assert hosts(sent) == {urlsplit(slack.api_url).netloc}
