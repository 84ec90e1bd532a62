"""A peer's unavailable switch offers a return time, on Slack's App Home: back tomorrow, in 3
days or in a week (08:00 local); they are skipped by routing until then, and made available
again, and told, when it comes."""

from __future__ import annotations

from tests.slack.conftest import FORM, SlackWorld, text_of


async def test_unavailable_until_tomorrow_then_back_by_itself(slack: SlackWorld):
    await slack.make_peer("ana")
    home = await slack.open_home("ana")
    home = await slack.click_home("ana", home, "peer.availability")  # unavailable
    assert "When will you be back?" in text_of(home)
    home = await slack.click_home("ana", home, "peer.return")  # the first: back tomorrow
    assert "Unavailable until Tue 24 Nov, 08:00" in text_of(home)  # the hospital is on UTC
    await slack.command("rita")
    await slack.submit("rita", FORM)
    await slack.run_jobs()
    assert slack.offers("ana") == []  # away: skipped
    slack.clock.advance(hours=18)  # Tuesday 08:00
    await slack.run_jobs()
    assert "Welcome back" in slack.inbox("ana")[-1].readable
    home = await slack.open_home("ana")
    assert "Unavailable until" not in text_of(home)
