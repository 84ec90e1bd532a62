"""Forget-me asks once on Slack: `/support forget-me` (or "forget me" in the DM) answers with
what erasure does and two buttons; nothing changes until *Erase my data*; *Keep my data*
changes nothing; a second click on an old question erases nothing more."""

from __future__ import annotations

import copy

from sqlalchemy import func, select

from models import AuditEvent, ChatIdentity, SupportRequest
from tests.slack.conftest import FORM, SlackWorld
from tests.slack.test_scheduled import slash_answer


async def identities(slack: SlackWorld) -> int:
    async with slack.runtime.database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(ChatIdentity)) or 0)


async def open_request(slack: SlackWorld) -> None:
    await slack.make_peer("pia")
    await slack.command("rita")
    await slack.submit("rita", {**FORM, "note": "the night of the fall"})
    await slack.run_jobs()


async def test_forget_me_asks_first_and_changes_nothing_until_confirmed(slack: SlackWorld):
    await open_request(slack)
    before = await identities(slack)
    answer = await slash_answer(slack, "rita", "forget-me")
    assert "Erase your data?" in answer and "cannot be undone" in answer
    assert "will be withdrawn" in answer  # she has an open request
    assert "This conversation itself stays in Slack" in answer and "Teams" not in answer
    [question] = slack.seen_only_by("rita")
    assert question.action_ids == ["forget.confirm", "forget.cancel"]
    await slack.run_jobs()
    assert await identities(slack) == before
    [offer] = slack.offers("pia")
    assert "offer.accept" in slack.now(offer).action_ids  # still open
    async with slack.runtime.database.session() as session:
        [request] = list(await session.scalars(select(SupportRequest)))
        erased = await session.scalar(select(func.count()).where(AuditEvent.action == "erased"))
    assert request.status == "open" and request.note == "the night of the fall"
    assert erased == 0


async def test_keep_my_data_changes_nothing(slack: SlackWorld):
    await open_request(slack)
    before = await identities(slack)
    await slash_answer(slack, "rita", "forget-me")
    [question] = slack.seen_only_by("rita")
    await slack.click("rita", question, "forget.cancel")
    kept = slack.now(question)
    assert "Nothing was erased" in kept.readable and kept.action_ids == []
    assert await identities(slack) == before


async def test_confirm_in_the_dm_erases_once_and_a_second_click_is_safe(slack: SlackWorld):
    await open_request(slack)
    question = await slack.say("rita", "forget me")
    assert "Erase your data?" in question.readable
    as_sent = copy.deepcopy(question)
    await slack.click("rita", question, "forget.confirm")
    assert "Your data has been erased" in slack.now(question).readable
    async with slack.runtime.database.session() as session:
        [request] = list(await session.scalars(select(SupportRequest)))
    assert request.status == "withdrawn" and request.requester_id is None and request.note is None
    # What Slack itself keeps of the conversation stays there: the bot deletes nothing in Slack.
    assert any("I have your request" in m.readable for m in slack.inbox("rita"))
    await slack.click("rita", as_sent, "forget.confirm")  # the old question, clicked again
    assert "I hold no data about you" in slack.now(question).readable


async def test_forget_me_in_spanish(slack: SlackWorld):
    slack.user("eva", locale="es-ES")
    await slack.make_peer("eva")
    question = await slack.say("eva", "borrar mis datos")
    assert "¿Borrar tus datos?" in question.readable
    await slack.click("eva", question, "forget.cancel")
    assert "No se ha borrado nada" in slack.now(question).readable


async def test_someone_we_hold_nothing_about_is_told_at_once(slack: SlackWorld):
    answer = await slash_answer(slack, "newcomer", "forget-me")
    assert "I hold no data about you" in answer
    assert slack.seen_only_by("newcomer")[0].action_ids == []


async def test_confirmed_in_spanish_the_answer_is_spanish(slack: SlackWorld):
    slack.user("eva", locale="es-ES")
    await slack.make_peer("eva")
    question = await slack.say("eva", "olvídame")
    await slack.click("eva", question, "forget.confirm")
    assert "Tus datos se han borrado" in slack.now(question).readable
