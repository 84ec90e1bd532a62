"""Slack surfaces at their worst-case sizes, end to end through /slack/events on both databases:
the fake Slack refuses whatever Slack would (`invalid_blocks`, bot/sandbox/block_kit.py), so each
test fails on a surface Slack would not show, and checks no word was lost."""

from __future__ import annotations

import html
import re

from bot.sandbox.block_kit import blocks_problems
from bot.slack.blocks import blocks_of, split_text
from handlers.core.ports import Message
from models import Tier
from tests.slack.conftest import SlackWorld
from tests.slack.test_coordinator_home import open_home
from tests.slack.test_flow import ask, last

# A long relay with Slack's control characters, which are escaped first (and so grow).
WORDS = [f"w{n}&<b>" for n in range(500)]
LONG_RELAY = " ".join(WORDS)[:4000]


def words_in(blocks: list[dict]) -> list[str]:
    text = " ".join(b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b)
    return html.unescape(text).split()


def test_a_long_text_is_split_at_a_space_and_never_inside_an_entity():
    escaped = html.escape(LONG_RELAY, quote=False)
    pieces = split_text(escaped)
    assert len(pieces) > 1 and all(len(piece) <= 3000 for piece in pieces)
    assert " ".join(pieces) == escaped  # every character, cut only at spaces
    for piece in pieces:
        assert not re.search(r"&[a-z]*$", piece)  # no entity cut in two
    one_word = "&" * 2000  # 10,000 characters escaped, no space anywhere
    assert "".join(split_text(html.escape(one_word, quote=False))) == "&amp;" * 2000


def test_the_checks_refuse_what_slack_refuses():
    """The fake Slack's checks can fail: the blocks the bot used to build for a long relay."""
    too_long = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    field = {"type": "section", "fields": [{"type": "mrkdwn", "text": "y" * 2001}]}
    assert blocks_problems([too_long]) and blocks_problems([field])
    assert blocks_problems([{"type": "section", "text": {"type": "mrkdwn", "text": " "}}])
    long_field = Message(kind="x", fields=[("On call", ", ".join(["Name " * 12] * 40))])
    assert not blocks_problems(blocks_of(long_field))


async def test_a_4000_character_relay_arrives_whole(slack: SlackWorld):
    await slack.make_peer("pia")
    await ask(slack, "rita", contact="chat", options=["anonymous"])
    [offer] = slack.offers("pia")
    await slack.click("pia", offer, "offer.accept")
    await slack.run_jobs()
    await slack.say("rita", LONG_RELAY)
    await slack.run_jobs()
    relayed = last(slack.inbox("pia"))
    got = words_in(relayed.blocks)
    assert " ".join(got).endswith(" ".join(LONG_RELAY.split()))  # every word, in order
    assert len([b for b in relayed.blocks if b["type"] == "section"]) >= 2


async def test_forty_people_on_call_with_long_names_show_on_the_coordinators_home(
    slack: SlackWorld,
):
    await slack.make_peer("cy", Tier.COORDINATOR)
    names = [f"peer{n:02d}" + "x" * 50 for n in range(40)]
    for name in names:
        await slack.make_peer(name)
    home = await open_home(slack, "cy")
    text = " ".join(
        piece
        for block in home["blocks"]
        for piece in [block.get("text", {}).get("text", "")]
        + [field["text"] for field in block.get("fields", [])]
    )
    for name in names:
        assert name.title() in text
