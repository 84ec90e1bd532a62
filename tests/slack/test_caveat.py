"""What Slack workspace owners can still see (DM exports on some plans), said on Slack where
people decide what to write: the form and its acknowledgement, never Teams' wording."""

from __future__ import annotations

from tests.slack.conftest import FORM, SlackWorld, text_of

SLACK_CAVEAT = "Slack workspace owners and administrators can export direct messages"


async def test_slack_form_and_acknowledgement_warn_of_exports(slack: SlackWorld) -> None:
    await slack.make_peer("pia")
    await slack.command("rita")
    form = text_of(slack.api.called("views.open")[-1].args["view"])
    assert SLACK_CAVEAT in form and "Microsoft 365" not in form
    answer = await slack.submit("rita", FORM)
    assert SLACK_CAVEAT in text_of(answer)
    await slack.run_jobs()
    assert SLACK_CAVEAT in slack.inbox("rita")[0].readable
