"""Check-ins on Slack: each names its case, a newer one closes the older, and "talk to a peer
again" opens the form filled in as the case it follows (nothing filed until it is sent)."""

from __future__ import annotations

from sqlalchemy import func, select

from models import SupportRequest
from tests.slack.conftest import FORM, SlackWorld, text_of
from tests.slack.test_true_wording import close_by_peer


async def test_talk_again_opens_the_form_filled_in(slack: SlackWorld):
    await close_by_peer(slack)
    slack.clock.advance(days=1, hours=3)  # 10:00 the next day in Chicago
    await slack.run_jobs()
    [check_in] = [m for m in slack.inbox("rita") if "checkin.talk_again" in m.action_ids]
    assert "About case " in check_in.readable
    opened_before = len(slack.api.called("views.open"))
    await slack.click("rita", check_in, "checkin.talk_again")
    [opened] = slack.api.called("views.open")[opened_before:]
    modal = opened.args["view"]
    initial = {
        block["block_id"]: block["element"].get("initial_option", {}).get("value")
        for block in modal["blocks"]
        if block["type"] == "input" and block["element"]["type"] == "static_select"
    }
    assert initial == {
        "urgency": "today",
        "category": "adverse_event",
        "contact": "phone",
        "language": "en",
    }
    assert "filled in as last time" in slack.now(check_in).readable
    async with slack.runtime.database.session() as session:
        assert await session.scalar(select(func.count()).select_from(SupportRequest)) == 1


async def test_a_newer_check_in_closes_the_older_one(slack: SlackWorld):
    await close_by_peer(slack)
    slack.clock.advance(days=1, hours=3)  # 10:00 the next day in Chicago
    await slack.run_jobs()
    [first] = [m for m in slack.inbox("rita") if "checkin.stop" in m.action_ids]
    slack.clock.advance(days=2)
    await slack.run_jobs()
    assert slack.now(first).action_ids == []
    assert "newer check-in" in text_of(slack.now(first).blocks)
    open_now = [m for m in slack.inbox("rita") if "checkin.stop" in slack.now(m).action_ids]
    assert len(open_now) == 1


async def test_check_ins_of_two_cases_are_one_open_check_in_naming_both(slack: SlackWorld):
    await close_by_peer(slack)
    slack.clock.advance(days=1, hours=3)  # the first case's day-1 check-in, left unanswered
    await slack.run_jobs()
    await slack.command("rita")  # a second case, closed the same day
    await slack.submit("rita", FORM)
    await slack.run_jobs()
    offer = slack.offers("pia")[-1]
    await slack.click("pia", offer, "offer.accept")
    await slack.click("pia", slack.now(offer), "request.close")
    slack.clock.advance(days=1)
    await slack.run_jobs()

    open_now = [m for m in slack.inbox("rita") if "checkin.stop" in slack.now(m).action_ids]
    assert len(open_now) == 1
    async with slack.runtime.database.session() as session:
        cases = await session.scalars(
            select(SupportRequest).order_by(SupportRequest.created_at.desc())
        )
        references = [case.reference for case in cases]  # the newer case first
    assert f"About your cases {', '.join(references)}" in slack.now(open_now[0]).readable
    await slack.click("rita", open_now[0], "checkin.stop")
    stopped = slack.now(open_now[0]).readable
    assert f"no more check-ins about cases {', '.join(references)}" in stopped
