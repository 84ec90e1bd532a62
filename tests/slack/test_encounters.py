"""What kind of support a case was: asked of the peer once the case ends, optional, counted
once, kept apart from the case (end to end through /slack/events)."""

from __future__ import annotations

import copy

from sqlalchemy import inspect, select

from models import EncounterAnswer, SupportRequest
from tests.slack.conftest import Posted, SlackWorld
from tests.slack.test_flow import ask, last


def values_of(posted: Posted, action: str) -> list[str]:
    return [
        element["value"]
        for block in posted.blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"].split("#")[0] == action
    ]


async def closed_case(slack: SlackWorld) -> Posted:
    """Rita asks, Pia accepts and closes; returns the question Pia then gets."""
    await slack.make_peer("pia")
    await ask(slack, "rita")
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.click("pia", slack.now(offer), "request.close")
    await slack.run_jobs()
    question = last(slack.inbox("pia"))
    assert question.action_ids == ["encounter.kind"] * 4
    return question


async def test_the_peers_answer_is_counted_once_and_apart_from_the_case(slack: SlackWorld):
    question = await closed_case(slack)
    assert "Listened" in question.readable and "Group session" in question.readable
    as_sent = copy.deepcopy(question)
    listened = next(value for value in values_of(question, "encounter.kind") if "listened" in value)
    await slack.click("pia", question, "encounter.kind", listened)
    answered = slack.now(question)
    assert 'Counted as "Listened"' in answered.readable and answered.action_ids == []

    # an old copy of the question clicked again, with another answer: still counted once
    group = next(value for value in values_of(as_sent, "encounter.kind") if "group" in value)
    await slack.click("pia", as_sent, "encounter.kind", group)
    assert "already counted" in slack.now(question).readable

    async with slack.runtime.database.session() as session:
        answers = list(await session.scalars(select(EncounterAnswer)))
        request = await session.scalar(select(SupportRequest))
    assert [answer.kind for answer in answers] == ["listened"]
    assert answers[0].week_of.weekday() == 0  # only the Monday of its week is kept
    assert request is not None and request.encounter_noted
    columns = {column.key for column in inspect(EncounterAnswer).columns}
    assert columns == {"id", "organisation_id", "kind", "week_of"}  # no case, no person


async def test_only_the_peer_who_took_the_case_can_answer(slack: SlackWorld):
    question = await closed_case(slack)
    value = values_of(question, "encounter.kind")[0]
    await slack.make_peer("paz")
    await slack.click("paz", question, "encounter.kind", value)  # a forged click
    async with slack.runtime.database.session() as session:
        assert list(await session.scalars(select(EncounterAnswer))) == []


async def test_the_question_is_in_the_peers_language(slack: SlackWorld):
    slack.user("pia", locale="es-ES")
    question = await closed_case(slack)
    assert "Opcional" in question.readable and "Sesión de grupo" in question.readable
