"""`/support` never fails silently: Slack's views.open is tried again within the trigger's
three-second life, and if the form still cannot be opened the person gets a DM with the
organisation's crisis lines and a button that opens the form again."""

from __future__ import annotations

from tests.slack.conftest import SlackWorld, text_of
from tests.slack.test_safety import shows_crisis_first


async def test_views_open_failing_then_succeeding_still_opens_the_form(slack: SlackWorld):
    for _ in range(4):  # more than slack_sdk's own two retries of a server error
        slack.api.fail_next("views.open", 503)
    response = await slack.command("rita")
    assert response.status == 200
    assert slack.api.refused == ["views.open"] * 4
    assert slack.api.modal(slack.user("rita")) is not None
    assert slack.inbox("rita") == []


async def test_a_form_slack_will_not_open_in_time_becomes_a_dm_with_crisis_lines(
    slack: SlackWorld,
):
    # A Retry-After longer than the trigger lives: no retry can open this form.
    slack.api.fail_next("views.open", 429, {"Retry-After": "30"})
    response = await slack.command("rita")
    assert response.status == 200
    assert slack.api.modal(slack.user("rita")) is None
    [answer] = slack.inbox("rita")
    assert shows_crisis_first(answer.blocks)
    assert "could not be opened" in text_of(answer.blocks)
    assert "988" in text_of(answer.blocks)  # the organisation's crisis lines (a US organisation)
    # Its button opens the form with the click's new trigger.
    await slack.click("rita", answer, "support.start")
    assert slack.api.modal(slack.user("rita")) is not None


async def test_the_fallback_is_in_the_persons_language(slack: SlackWorld):
    slack.user("rita", locale="es-ES")
    slack.api.fail_next("views.open", 429, {"Retry-After": "30"})
    await slack.command("rita")
    [answer] = slack.inbox("rita")
    assert "No se ha podido abrir el formulario" in text_of(answer.blocks)


async def test_when_the_dm_fails_too_the_worker_sends_it(slack: SlackWorld):
    """Slack refuses the form and then the DM that says so: the DM is queued, not dropped, and
    the worker delivers it once Slack answers again."""
    slack.api.fail_next("views.open", 429, {"Retry-After": "30"})
    for _ in range(3):  # the DM's first try and slack_sdk's two retries of a server error
        slack.api.fail_next("chat.postMessage", 503)
    response = await slack.command("rita")
    assert response.status == 200
    await slack.settle()
    assert slack.inbox("rita") == []
    await slack.run_jobs()
    [answer] = slack.inbox("rita")
    assert shows_crisis_first(answer.blocks)
    assert "988" in text_of(answer.blocks)
    await slack.click("rita", answer, "support.start")
    assert slack.api.modal(slack.user("rita")) is not None
