"""What the scheduler sends, on Slack end to end: the follow-up check-in after a case closes,
the weekly pulse with `/support pulse on|off`, and `/support forget-me`."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from sqlalchemy import select

from handlers.core.people import Person
from handlers.support.ending import FOLLOW_UP
from models import ChatIdentity, DueJob, FollowUpAnswer, PulseAnswer, SupportRequest
from tests.slack.conftest import FORM, USER_TIME_ZONE, Posted, SlackWorld, text_of


async def closed_case(slack: SlackWorld) -> None:
    await slack.make_peer("pia")
    await slack.command("rita")
    await slack.submit("rita", FORM)
    await slack.run_jobs()
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.run_jobs()
    connected = slack.inbox("rita")[-1]
    await slack.click("rita", connected, "request.close")
    await slack.run_jobs()


def with_button(messages: list[Posted], action: str) -> Posted:
    found = [message for message in messages if action in message.action_ids]
    assert found, f"no message with {action}"
    return found[-1]


async def slash_answer(slack: SlackWorld, name: str, text: str) -> str:
    """The ephemeral answer to `/support <text>` (posted to the command's response_url)."""
    before = len(slack.api.responses)
    response = await slack.command(name, text)
    assert response.status == 200
    [answer] = slack.api.responses[before:]
    assert answer["response_type"] == "ephemeral"
    return text_of(answer)


async def test_check_in_arrives_the_next_day_and_is_answered_in_place(slack: SlackWorld):
    await closed_case(slack)
    assert not [m for m in slack.inbox("rita") if "checkin.score" in m.action_ids]

    slack.clock.advance(days=1, hours=3)  # Tuesday 17:00 UTC: past 10:00 in Chicago
    await slack.run_jobs()
    check_in = with_button(slack.inbox("rita"), "checkin.score")
    assert "checkin.stop" in check_in.action_ids and "checkin.talk_again" in check_in.action_ids
    assert not [m for m in slack.inbox("pia") if "checkin.score" in m.action_ids]

    await slack.click("rita", check_in, "checkin.score")  # the first score button: 1
    answered = slack.now(check_in)
    assert answered.updates == 1 and "checkin.score" not in answered.action_ids
    async with slack.runtime.database.session() as session:
        answers = list(await session.scalars(select(FollowUpAnswer)))
    assert [(answer.offset_days, answer.score) for answer in answers] == [(1, 1)]


async def test_check_ins_come_at_10_where_the_requester_is(slack: SlackWorld):
    """users.info says Rita's time zone (Chicago): her check-ins come at 10:00 there."""
    await closed_case(slack)  # Monday 14:00 UTC, 08:00 in Chicago
    async with slack.runtime.database.session() as session:
        [rita] = [i for i in await session.scalars(select(ChatIdentity)) if i.user_id == "URITA"]
        due = sorted(await session.scalars(select(DueJob.run_at).where(DueJob.kind == FOLLOW_UP)))
    assert rita.time_zone == USER_TIME_ZONE
    assert due[0] == datetime(2026, 11, 24, 16, tzinfo=UTC)  # Tuesday 10:00 in Chicago


async def test_stop_cancels_the_remaining_check_ins(slack: SlackWorld):
    await closed_case(slack)
    slack.clock.advance(days=1, hours=3)  # Tuesday 17:00 UTC: past 10:00 in Chicago
    await slack.run_jobs()
    check_in = with_button(slack.inbox("rita"), "checkin.stop")
    await slack.click("rita", check_in, "checkin.stop")
    assert "checkin.score" not in slack.now(check_in).action_ids
    slack.clock.advance(days=40)
    await slack.run_jobs()
    check_ins = [m for m in slack.inbox("rita") if m.ts != check_in.ts and m.action_ids]
    assert not [m for m in check_ins if "checkin.score" in m.action_ids]


async def test_pulse_on_then_the_weekly_pulse_answered_once(slack: SlackWorld):
    assert "pulse" in (await slash_answer(slack, "nina", "pulse on")).lower()
    await slash_answer(slack, "omar", "pulse on")
    await slash_answer(slack, "omar", "pulse off")

    slack.clock.advance(days=2, hours=-2, minutes=-55)  # Wednesday 11:05, the default pulse
    assert await slack.runtime.pulses.open_due_rounds() == 1
    await slack.run_jobs()
    pulse = with_button(slack.inbox("nina"), "pulse.answer")
    assert not [m for m in slack.inbox("omar") if "pulse.answer" in m.action_ids]

    as_sent = copy.deepcopy(pulse)
    await slack.click("nina", pulse, "pulse.answer")  # the first button: 1, a low score
    answered = slack.now(pulse)
    assert answered.action_ids == ["support.start"]  # a low score offers support in place
    await slack.click("nina", as_sent, "pulse.answer")  # the old button again
    assert "already answered" in slack.now(pulse).readable.lower()
    async with slack.runtime.database.session() as session:
        assert len(list(await session.scalars(select(PulseAnswer)))) == 1


async def test_forget_me_withdraws_and_erases(slack: SlackWorld):
    await slack.make_peer("pia")
    await slack.command("rita")
    await slack.submit("rita", {**FORM, "note": "the night of the fall"})
    await slack.run_jobs()
    [offer] = slack.offers("pia")

    answer = await slash_answer(slack, "rita", "forget-me")
    assert "Erase your data?" in answer and "will be withdrawn" in answer
    [question] = slack.seen_only_by("rita")
    await slack.click("rita", question, "forget.confirm")
    assert "Your data has been erased" in slack.now(question).readable
    await slack.run_jobs()
    withdrawn = slack.now(offer)
    assert withdrawn.action_ids == [] and "withdrawn" in withdrawn.readable.lower()
    async with slack.runtime.database.session() as session:
        [request] = list(await session.scalars(select(SupportRequest)))
    assert request.status == "withdrawn"
    assert request.note is None and request.requester_id is None


async def test_one_click_stops_the_pulse_from_the_pulse_itself(slack: SlackWorld):
    await slash_answer(slack, "nina", "pulse on")
    slack.clock.advance(days=2, hours=-2, minutes=-55)
    await slack.runtime.pulses.open_due_rounds()
    await slack.run_jobs()
    pulse = with_button(slack.inbox("nina"), "pulse.opt")
    await slack.click("nina", pulse, "pulse.opt")
    stopped = slack.now(pulse)
    assert "no longer" in stopped.readable.lower() and stopped.action_ids == []

    slack.clock.advance(days=7)  # next week's round reaches nobody
    assert await slack.runtime.pulses.open_due_rounds() == 1
    await slack.run_jobs()
    assert [message.ts for message in slack.inbox("nina")] == [pulse.ts]


async def test_the_home_tab_switches_the_pulse_in_one_click(slack: SlackWorld):
    home = await slack.open_home("nina")
    assert "Get the weekly pulse" in text_of(home)
    switched = await slack.click_home("nina", home, "pulse.opt")
    assert "Stop the weekly pulse" in text_of(switched)
    assert await slack.runtime.pulses.opted_in(
        Person(platform="slack", tenant_id=slack.team, user_id="UNINA")
    )
