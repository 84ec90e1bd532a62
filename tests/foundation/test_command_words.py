"""Command words go both ways in a person's language: each catalogue text that tells a person
what to type names that language's own words (a Spanish text never says `pulse off`), and each
word it names is one the bot understands."""

from __future__ import annotations

import re

import pytest

from handlers.chat.commands import Command, command_of
from handlers.core.i18n import SUPPORTED_LOCALES, t
from tests.foundation.test_catalog import _messages

QUOTED = re.compile(r'"([^"]+)"')
SLASH = re.compile(r"/support ([^,;()/]+)")


def words_of(locale: str) -> set[str]:
    return {
        word.strip().lower()
        for command in Command
        for word in t(locale, f"words.{command.value}").split(",")
        if word.strip()
    }


def named_words(text: str) -> list[str]:
    """What a text tells a person to type: quoted words, and what follows /support."""
    found = QUOTED.findall(text)
    for match in SLASH.findall(text):
        found += [part.strip() for part in match.split("|")]
    return [word.lower() for word in found if word.strip()]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_command_word_a_text_names_is_in_its_own_language(locale: str):
    everyone = set().union(*(words_of(other) for other in SUPPORTED_LOCALES))
    own = words_of(locale)
    foreign = {
        key: word
        for key, text in _messages(locale).items()
        if not key.startswith("words.")
        for word in named_words(text)
        if word in everyone and word not in own
    }
    assert foreign == {}


def test_the_spanish_words_the_texts_name_are_understood():
    for key in ("pulse.on", "pulse.off", "pulse.private", "slack.help.commands"):
        for word in named_words(t("es", key)):
            assert command_of(word) is not None, (key, word)
