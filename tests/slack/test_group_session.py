"""Group support on Slack, through /slack/events: an event reaching more people than the
threshold suggests a group session; the coordinator sets one up from `/support admin`; everyone
reached and the facilitator get an invitation with an .ics file and a reminder the day before;
nothing tracks attendance."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
from sqlalchemy import select

from models import AuditEvent, GroupSession, Tier
from tests.slack.conftest import SlackWorld, text_of
from tests.slack.test_coordinator_admin import open_form, submit_form
from tests.slack.test_reach_in import record

PEOPLE = ("rita", "sam", "tom", "una", "val", "wes")


def session_answers(form: dict, facilitator: str, starts_at: datetime) -> dict:
    block = next(b for b in form["blocks"] if b.get("block_id") == "facilitator")
    option = next(o for o in block["element"]["options"] if facilitator in o["text"]["text"])
    event = next(b for b in form["blocks"] if b.get("block_id") == "event")
    return {
        "event": {"type": "static_select", "selected_option": event["element"]["options"][0]},
        "starts_at": {"type": "datetimepicker", "selected_date_time": int(starts_at.timestamp())},
        "minutes": {"type": "number_input", "value": "90"},
        "place": {"type": "plain_text_input", "value": "Seminar room 3, or meet.example/abc"},
        "facilitator": {"type": "static_select", "selected_option": option},
    }


async def test_a_group_session_with_its_invitation_calendar_file_and_reminder(slack: SlackWorld):
    await slack.make_peer("cy", Tier.COORDINATOR)
    await slack.make_peer("pat", Tier.PROFESSIONAL)
    empty = await open_form(slack, "cy", "group_session")
    assert "No event recorded yet" in text_of(empty) and "submit" not in empty
    answer = await record(slack, PEOPLE)  # 6 people: more than the threshold of 5
    assert "a group session often helps" in text_of(answer["view"])
    slack.clock.advance(seconds=5)
    await slack.run_jobs()

    form = await open_form(slack, "cy", "group_session")
    assert form["callback_id"] == "admin.group_session"
    wrong = await submit_form(
        slack, "cy", form, session_answers(form, "Pat", datetime(2020, 1, 1, tzinfo=UTC))
    )
    assert wrong["response_action"] == "errors" and set(wrong["errors"]) == {"starts_at"}
    starts = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    done = await submit_form(slack, "cy", form, session_answers(form, "Pat", starts))
    assert "on their way to 7 people" in text_of(done["view"])
    await slack.run_jobs()
    for name in (*PEOPLE, "pat"):
        [invite] = [m for m in slack.inbox(name) if "group session" in m.readable.lower()]
        assert invite.action_ids == []  # no reply asked, attendance not tracked
        assert "Seminar room 3" in invite.readable and "Pat" in invite.readable
        [ics] = slack.api.files_in(slack.api.dm_of(slack.user(name)))
        assert ics.filename == "group-session.ics"
        [event] = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")
        assert event.decoded("dtstart") == starts and "Seminar room 3" in str(event["location"])
    assert any("You are facilitating" in m.readable for m in slack.inbox("pat"))

    slack.clock.now = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # the day before
    await slack.run_jobs()
    for name in (*PEOPLE, "pat"):
        reminders = [m for m in slack.inbox(name) if "the group session is tomorrow" in m.readable]
        assert (
            len(reminders) == 1 and len(slack.api.files_in(slack.api.dm_of(slack.user(name)))) == 2
        )
    async with slack.runtime.database.session() as session:
        assert len(list(await session.scalars(select(GroupSession)))) == 1
        audits = [a.detail or "" for a in await session.scalars(select(AuditEvent))]
    assert any("invited:7" in detail for detail in audits)
    assert not any(slack.user(name) in detail for detail in audits for name in PEOPLE)
