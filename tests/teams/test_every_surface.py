"""Every Adaptive Card the bot builds, in both languages and at worst-case sizes
(tests/surfaces.py), parses, validates and renders in Microsoft's own renderer with Teams' limit
of five actions in a row (tests/teams/renderer), and keeps within Teams' message size."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.teams import replies
from bot.teams.admin_cards import FORMS, done_card, form_card, menu
from bot.teams.cards import message_card, sections_card
from bot.teams.intake_card import intake_card
from tests.surfaces import LOCALES, ROSTER, SMALL_ROSTER, messages
from tests.teams.conftest import actions_of
from tests.teams.renderer import CardRenderer

# Teams refuses a message over about 28 KB ("MessageSizeTooBig"); a card is most of it.
MAX_CARD_BYTES = 28_000


def cards(locale: str) -> dict[str, dict[str, Any]]:
    every = messages(locale, "teams")
    found = {name: message_card(message) for name, message in every.items()}
    found |= {
        "intake": intake_card(locale),
        "intake.errors": intake_card(
            locale, {"note": "x" * 600}, {"note": "Too long", "urgency": "Choose"}
        ),
        "welcome": message_card(replies.welcome(locale)),
        "help": message_card(replies.help_message(locale, True, 10)),
        "admin": sections_card([every["on_call"], every["refusal"], menu(locale)]),
        "done": done_card(locale, every["refusal"]),
    }
    for form in FORMS:
        for roster in (ROSTER, SMALL_ROSTER):
            found[f"{form}.{len(roster)}"] = form_card(locale, form, roster, zone="Europe/London")
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_every_card_renders_in_microsofts_renderer(locale: str, card_renderer: CardRenderer):
    faults = {
        name: problems
        for name, card in cards(locale).items()
        if (problems := card_renderer.problems(card))
    }
    assert not faults


@pytest.mark.parametrize("locale", LOCALES)
def test_every_card_fits_a_teams_message_and_keeps_its_opt_outs(locale: str):
    built = cards(locale)
    for name, card in built.items():
        assert len(json.dumps(card).encode()) <= MAX_CARD_BYTES, name
    for name in ("pulse", "pulse.low", "check_in"):
        own = [action["verb"] for action in built[name]["actions"]]  # the card's own row
        assert own[-1] in ("pulse.opt", "checkin.stop") and len(own) <= 5, name
        assert len(actions_of(built[name])) > 5  # more buttons than one row shows, yet all seen
