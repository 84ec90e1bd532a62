"""Pause, not only stop, on Slack end to end: the weekly pulse and the check-ins paused for 1, 2
or 4 weeks from the message itself; nothing of that kind comes during the pause; it comes back
by itself, or at once with "Resume now"."""

from __future__ import annotations

from tests.slack.conftest import SlackWorld
from tests.slack.test_scheduled import closed_case, slash_answer, with_button


async def pulse_week(slack: SlackWorld, weeks: int) -> None:
    """Move to the pulse's opening `weeks` on, and send that round."""
    slack.clock.advance(days=7 * weeks)
    await slack.runtime.pulses.open_due_rounds()
    await slack.run_jobs()
    slack.clock.advance(seconds=2)
    await slack.run_jobs()


def pulses(slack: SlackWorld, name: str) -> int:
    return len([m for m in slack.inbox(name) if "pulse.answer" in m.action_ids])


async def test_the_pulse_paused_for_two_weeks_then_back_and_resumed_at_once(slack: SlackWorld):
    await slash_answer(slack, "nina", "pulse on")
    await slash_answer(slack, "omar", "pulse on")
    slack.clock.advance(days=2, hours=-2, minutes=-55)  # Wednesday 11:05, the default pulse
    await slack.runtime.pulses.open_due_rounds()
    await slack.run_jobs()
    pulse = with_button(slack.inbox("nina"), "pulse.answer")
    await slack.click("nina", pulse, "pause.ask")
    offer = slack.now(pulse)
    assert offer.action_ids == ["pause.set"] * 3 and "1 week" in offer.readable
    await slack.click("nina", offer, "pause.set", "pulse:2")
    assert "paused until" in slack.now(pulse).readable

    await pulse_week(slack, 1)
    assert pulses(slack, "nina") == 0 and pulses(slack, "omar") == 2
    await pulse_week(slack, 1)  # the pause ends on this very Wednesday, before 11:05
    assert pulses(slack, "nina") == 1

    latest = with_button(slack.inbox("omar"), "pulse.answer")
    await slack.click("omar", latest, "pause.ask")
    await slack.click("omar", slack.now(latest), "pause.set", "pulse:4")
    await slack.click("omar", slack.now(latest), "pause.set", "pulse:0")  # Resume now
    assert "back on" in slack.now(latest).readable
    await pulse_week(slack, 1)
    assert pulses(slack, "omar") == 3  # the one paused from now reads "back on"; a new one came


async def test_check_ins_paused_for_a_week_skip_the_next_one(slack: SlackWorld):
    await closed_case(slack)
    slack.clock.advance(days=1, hours=3)
    await slack.run_jobs()
    first = with_button(slack.inbox("rita"), "checkin.score")
    await slack.click("rita", first, "pause.ask")
    await slack.click("rita", slack.now(first), "pause.set", "checkin:1")
    slack.clock.advance(days=3)  # day 3's check-in falls in the pause
    await slack.run_jobs()
    assert not [m for m in slack.inbox("rita") if "checkin.score" in m.action_ids]
    slack.clock.advance(days=3)  # day 7's too (the week runs to day 8)
    await slack.run_jobs()
    assert not [m for m in slack.inbox("rita") if "checkin.score" in m.action_ids]
    slack.clock.advance(days=30)  # day 30's comes after it
    await slack.run_jobs()
    assert len([m for m in slack.inbox("rita") if "checkin.score" in m.action_ids]) == 1
