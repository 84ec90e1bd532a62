"""Reach-in after an event, on Slack, through /slack/events: a coordinator records an event from
`/support admin` and picks eight colleagues; each gets a private offer in their language; every
answer path (talk, maybe later and its one reminder, no thanks, no answer) is counted, and only
suppressed totals reach the coordinator's App Home, never who answered what."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest
from sqlalchemy import select, update

from models import AuditEvent, Organisation, ReachInEvent, ReachInInvite, SupportRequest, Tier
from tests.slack.conftest import SlackWorld, text_of
from tests.slack.test_coordinator_admin import open_form, submit_form
from tests.slack.test_scheduled import slash_answer

COLLEAGUES = ("rita", "sam", "tom", "una", "val", "wes", "xia", "yan")


def event_answers(slack: SlackWorld, people: tuple[str, ...], day: str = "2026-11-22"):
    return {
        "occurred_on": {"type": "datepicker", "selected_date": day},
        "category": {"type": "static_select", "selected_option": {"value": "patient_death"}},
        "units": {"type": "plain_text_input", "value": "ICU, Emergency"},
        "note": {"type": "plain_text_input", "value": "Cardiac arrest in bay 4, night shift"},
        "people": {
            "type": "multi_users_select",
            "selected_users": [slack.user(name) for name in people],
        },
    }


async def record(slack: SlackWorld, people: tuple[str, ...], **kwargs: Any) -> dict[str, Any]:
    form = await open_form(slack, "cy", "record_event")
    assert form["callback_id"] == "admin.record_event"
    return await submit_form(slack, "cy", form, event_answers(slack, people, **kwargs))


async def set_threshold(slack: SlackWorld, threshold: int) -> None:
    async with slack.runtime.database.session() as session, session.begin():
        await session.execute(update(Organisation).values(anonymity_threshold=threshold))


def invitation(slack: SlackWorld, name: str):
    [invite] = [m for m in slack.inbox(name) if "reach_in.talk" in m.action_ids]
    return invite


async def test_a_reach_in_to_eight_people_with_every_answer_path(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO)  # what a deployment logs (libraries' DEBUG quotes payloads)
    await slack.make_peer("cy", Tier.COORDINATOR)
    await slack.make_peer("ana")
    slack.user("xia", locale="es-ES")
    await set_threshold(slack, 3)
    answer = await record(slack, COLLEAGUES)
    assert answer["response_action"] == "update"
    assert "private message about the event of 22 November: 8" in text_of(answer["view"])
    slack.clock.advance(seconds=5)  # the offers are paced like the pulse
    await slack.run_jobs()
    invites = {name: invitation(slack, name) for name in COLLEAGUES}
    sent = copy.deepcopy(invites)
    for offer in invites.values():
        assert offer.action_ids == ["reach_in.talk", "reach_in.later", "reach_in.decline"]
    assert "Un compañero o compañera piensa en ti" in invites["xia"].readable
    assert "A colleague is thinking of you" in invites["rita"].readable
    assert "Cardiac arrest" not in invites["rita"].readable  # the note is for coordinators

    # "I would like to talk": a request with the event's category, urgency today, routed.
    for name in ("rita", "una", "val", "wes"):
        await slack.click(name, invites[name], "reach_in.talk")
    assert "will get in touch today" in slack.now(invites["rita"]).readable
    await slack.click("rita", sent["rita"], "reach_in.talk")  # a double click
    await slack.run_jobs()
    async with slack.runtime.database.session() as session:
        requests = list(await session.scalars(select(SupportRequest)))
    assert len(requests) == 4
    assert {(r.category, r.urgency) for r in requests} == {("patient_death", "today")}
    offers = slack.offers("ana")
    assert len(offers) == 4 and "Today" in offers[0].readable

    # "Maybe later": one reminder, days later, with no "Maybe later" on it; then "No thanks".
    sam = invites["sam"]
    await slack.click("sam", sam, "reach_in.later")
    assert "in 3 days" in slack.now(sam).readable
    await slack.click("tom", invites["tom"], "reach_in.decline")
    assert "change your mind" in slack.now(invites["tom"]).readable
    await slack.click("tom", sent["tom"], "reach_in.decline")  # the old button again
    assert "answered this already" in slack.now(invites["tom"]).readable
    slack.clock.advance(days=3, minutes=1)
    await slack.run_jobs()
    [reminder] = [m for m in slack.inbox("sam") if m.ts != sam.ts]
    assert reminder.action_ids == ["reach_in.talk", "reach_in.decline"]
    assert "Still here if you want to talk" in reminder.readable
    await slack.click("sam", reminder, "reach_in.decline")
    slack.clock.advance(days=5)
    await slack.run_jobs()
    assert len(slack.inbox("sam")) == 2 and len(slack.inbox("tom")) == 1  # one reminder, once

    # The coordinator sees totals only, suppressed: 4 asked to talk; 2 no thanks and 2 with no
    # answer are under the threshold of 3; 1 maybe later too.
    home = text_of(await slack.open_home("cy"))
    assert "8 reached; asked to talk 4, no thanks not shown, no answer yet not shown" in home
    assert "maybe later not shown" in home
    for name in COLLEAGUES:
        assert name.title() not in home and slack.user(name) not in home
    async with slack.runtime.database.session() as session:
        [event] = list(await session.scalars(select(ReachInEvent)))
        invites = list(await session.scalars(select(ReachInInvite)))
        audits = " ".join(
            f"{a.actor} {a.action} {a.detail}" for a in await session.scalars(select(AuditEvent))
        )
    assert (event.reached, event.talk, event.declined, event.later) == (8, 4, 2, 1)
    # a final answer unlinks the invite from the person: nothing says who answered what
    assert sorted(i.identity_id is None for i in invites) == [False] * 2 + [True] * 6
    assert all(i.identity_id is not None for i in invites if not i.answered)
    # the bot's own log lines (not the fake Slack's access log, which is Slack's side)
    logged = "\n".join(
        record.getMessage() for record in caplog.records if record.name != "aiohttp.access"
    )
    for name in COLLEAGUES:
        assert slack.user(name) not in audits and name.title() not in audits
        assert slack.user(name) not in logged and name.title() not in logged
    assert "Cardiac arrest" not in logged and "Cardiac arrest" not in audits


async def test_a_reach_in_form_with_errors_changes_nothing_and_others_are_refused(
    slack: SlackWorld,
):
    await slack.make_peer("cy", Tier.COORDINATOR)
    answer = await record(slack, (), day="2027-01-01")
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"occurred_on", "people"}
    await slack.make_peer("ana")
    form = await open_form(slack, "cy", "record_event")
    async with slack.runtime.database.session() as session, session.begin():
        await session.execute(update(Organisation).values(anonymity_threshold=5))
    refused = await submit_form(slack, "ana", form, event_answers(slack, ("rita",)))
    assert "for the programme's coordinators" in text_of(refused["view"])
    async with slack.runtime.database.session() as session:
        assert list(await session.scalars(select(ReachInEvent))) == []
    await slack.run_jobs()
    assert slack.inbox("rita") == []


async def test_a_maybe_later_reminder_never_reaches_someone_who_was_forgotten(slack: SlackWorld):
    """Forget-me after "Maybe later": the reminder due days later finds no one to remind (the
    invitation's link went with the identity), so nothing is sent."""
    await slack.make_peer("cy", Tier.COORDINATOR)
    await record(slack, ("sam", "tom"))
    slack.clock.advance(seconds=5)
    await slack.run_jobs()
    await slack.click("sam", invitation(slack, "sam"), "reach_in.later")
    await slash_answer(slack, "sam", "forget-me")
    [question] = slack.seen_only_by("sam")
    await slack.click("sam", question, "forget.confirm")
    await slack.run_jobs()
    before = len(slack.inbox("sam"))
    slack.clock.advance(days=4)
    await slack.run_jobs()
    assert len(slack.inbox("sam")) == before  # no reminder
    async with slack.runtime.database.session() as session:
        links = list(await session.scalars(select(ReachInInvite.identity_id)))
    assert None in links and len([link for link in links if link is not None]) == 1  # Tom's
