"""Every Block Kit surface the bot builds, in both languages and at worst-case sizes
(tests/surfaces.py), passes the checks Slack makes (`slack_sdk.models` and the limits it does not
check, bot/sandbox/block_kit.py), and no word of a long text is lost on the way."""

from __future__ import annotations

import html

import pytest

from bot.sandbox.block_kit import blocks_problems, view_problems
from bot.slack.admin_modal import FORMS, done_view, form_view, menu_view
from bot.slack.blocks import blocks_of, home_view
from bot.slack.modal import intake_view, result_view
from handlers.core.ports import Message
from tests.surfaces import LOCALES, LONG_TEXT, ROSTER, SMALL_ROSTER, messages


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_valid_block_kit(locale: str):
    faults = {
        name: problems
        for name, message in messages(locale, "slack").items()
        if (problems := blocks_problems(blocks_of(message)))
    }
    assert not faults


@pytest.mark.parametrize("locale", LOCALES)
def test_every_view_is_valid(locale: str):
    every = messages(locale, "slack")
    views = {
        "intake": intake_view(locale),
        "result": result_view(locale, every["receipt.crisis"]),
        "home.peer": home_view([every["home.peer"], every["help"]]),
        "menu": menu_view(locale, every["on_call"]),
        "done": done_view(locale, every["refusal"]),
    }
    for form in FORMS:
        views[f"{form}.150"] = form_view(locale, form, ROSTER)
        views[f"{form}.2"] = form_view(locale, form, SMALL_ROSTER)
    faults = {name: problems for name, view in views.items() if (problems := view_problems(view))}
    assert not faults


@pytest.mark.parametrize("locale", LOCALES)
def test_a_long_relay_keeps_every_word(locale: str):
    message = messages(locale, "slack")["relayed.request.anon"]
    blocks = blocks_of(message)
    text = " ".join(b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b)
    assert " ".join(LONG_TEXT.split()) in " ".join(html.unescape(text).split())


def test_a_message_over_fifty_blocks_would_be_refused():
    """The check can fail: Slack refuses a message of more than 50 blocks."""
    many = Message(kind="x", lines=[f"line {n}" for n in range(51)])
    assert blocks_problems(blocks_of(many))
