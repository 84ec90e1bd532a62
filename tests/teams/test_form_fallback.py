"""`support` typed while Teams will not take the bot's reply: the person is never left without
an answer. The form's reply is retried; if it still fails, the crisis lines and a button that
shows the form again follow as a message the worker delivers once Teams takes it."""

from __future__ import annotations

from sqlalchemy import func, select

from models import DueJob
from tests.teams.conftest import TeamsWorld, card_text, verbs
from tests.teams.test_delivery import record_sleeps


async def test_a_form_teams_will_not_take_is_followed_by_the_crisis_lines_and_the_button(
    teams: TeamsWorld,
) -> None:
    slept = record_sleeps(teams)
    await teams.install("rita")
    rita = teams.user("rita").conversation_id
    before = len(teams.inbox("rita"))
    attempts = teams.runtime.messengers.for_platform("teams").retry.attempts
    for _ in range(attempts):  # every attempt at the reply fails
        teams.connector.fail_next_in(rita, 503)
    response = await teams.post(teams.activity("rita", text="support", textFormat="plain"))

    assert response.status in (200, 201)  # the turn is answered; nothing for Teams to resend
    assert len(slept) == attempts - 1  # the reply was retried with backoff first
    assert teams.inbox("rita")[before:] == []
    await teams.run_jobs()
    [notice] = teams.inbox("rita")[before:]
    text = card_text(notice.card)
    assert "988" in text  # the crisis lines (the organisation's; here the US defaults)
    assert verbs(notice.card) == ["support.start"]
    form = await teams.click("rita", "support.start", {})
    assert verbs(form) == ["intake.submit"]

    await teams.run_jobs()  # queued once, sent once
    assert len(teams.inbox("rita")[before:]) == 1
    async with teams.runtime.database.session() as session:
        queued = await session.scalar(
            select(func.count())
            .select_from(DueJob)
            .where(DueJob.idempotency_key.like("deliver:form-unavailable:%"))
        )
    assert queued == 1


async def test_a_form_that_goes_on_a_retry_needs_no_fallback(teams: TeamsWorld) -> None:
    record_sleeps(teams)
    await teams.install("rita")
    teams.connector.fail_next_in(teams.user("rita").conversation_id, 502)
    form = await teams.say("rita", "support")
    assert verbs(form) == ["intake.submit"]
    assert await teams.run_jobs() == 0
