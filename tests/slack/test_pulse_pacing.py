"""The weekly pulse through the fake Slack, paced by Slack's per-minute windows: people never
written to need `conversations.open` (tier 3) first, so fewer of them go in each minute; the
others fill the room left; a 429 is retried after its Retry-After and nothing goes twice."""

from __future__ import annotations

from dataclasses import replace

from bot.slack.messenger import BULK_WINDOW, DM_CHANNEL
from handlers.core.people import remember_address
from handlers.core.ports import Address
from tests.slack.conftest import SlackWorld
from tests.slack.test_scheduled import slash_answer

STAFF = ["nina", "omar", "pau", "quim", "rosa"]


def test_the_window_is_slacks_published_limits_with_room_to_spare() -> None:
    assert (BULK_WINDOW.per_window, BULK_WINDOW.first_contacts) == (285, 47)  # 95% of 300, 50
    assert BULK_WINDOW.window.total_seconds() == 60
    assert BULK_WINDOW.is_first_contact(Address(platform="slack", tenant_id="T", user_id="U"))
    known = Address(platform="slack", tenant_id="T", user_id="U", data={DM_CHANNEL: "D1"})
    assert not BULK_WINDOW.is_first_contact(known)


async def test_a_round_counted_per_minute_of_the_clock(slack: SlackWorld) -> None:
    assert slack.runtime.messengers.window_for("slack") is BULK_WINDOW
    messenger = slack.runtime.messengers.for_platform("slack")
    small = replace(BULK_WINDOW, per_window=3, first_contacts=2)  # Slack's, scaled down
    slack.runtime.messengers.register("slack", messenger, small)
    for name in STAFF:
        await slash_answer(slack, name, "pulse on")
    for name in STAFF[:2]:  # written to before: their DM channel is known
        user_id = slack.user(name)
        to = Address(platform="slack", tenant_id=slack.team, user_id=user_id)
        await remember_address(slack.runtime.database, to, **{DM_CHANNEL: slack.api.dm_of(user_id)})
    slack.api.fail_next("chat.postMessage", 429, {"Retry-After": "1"})

    slack.clock.advance(days=2, hours=-2, minutes=-55)  # Wednesday 11:05, the default pulse
    assert await slack.runtime.pulses.open_due_rounds() == 1
    per_minute: list[tuple[int, int]] = []
    for _minute in range(4):
        posts, opens = (
            len(slack.api.called(m)) for m in ("chat.postMessage", "conversations.open")
        )
        await slack.run_jobs()
        await slack.run_jobs()
        per_minute.append(
            (
                len(slack.api.called("chat.postMessage")) - posts,
                len(slack.api.called("conversations.open")) - opens,
            )
        )
        slack.clock.advance(minutes=1)

    # (messages, conversations opened) per minute: 3 first contacts at 2 a minute, the 2 known
    # people in the room left; the refused post (not counted) was tried again after its
    # Retry-After, in the same minute
    assert slack.api.refused == ["chat.postMessage"]
    assert per_minute == [(3, 2), (2, 1), (0, 0), (0, 0)]
    for name in STAFF:
        pulses = [m for m in slack.inbox(name) if "pulse.answer" in m.action_ids]
        assert len(pulses) == 1, name


def counts(slack: SlackWorld) -> tuple[int, int]:
    """Messages posted and conversations opened so far (answered calls only)."""
    return len(slack.api.called("chat.postMessage")), len(slack.api.called("conversations.open"))
