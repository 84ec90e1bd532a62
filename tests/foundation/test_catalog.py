"""The message catalog: English and Spanish complete, and every key the code uses exists."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from handlers.core.i18n import LOCALE_DIR, SUPPORTED_LOCALES, pick_locale, t
from handlers.core.languages import Language
from handlers.support.intake import Category, Contact, IntakeForm, Urgency
from models import Tier

ROOT = Path(__file__).resolve().parents[2]
# Calls whose string arguments are catalog keys.
KEYED_CALLS = {
    "t",
    "notice",
    "coordinator_alert",
    "alert_coordinators",
    "tell_requester",
    "_tell_peer",
    "offer_support",
    "to_requester",
    "retire_alerts",
    "_acknowledge_step",
    "withdraw_button",
}
KEY = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")


def _messages(locale: str) -> dict[str, str]:
    """Every message of a locale, from all its catalog files."""
    messages: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            messages.update({str(m.id): str(m.string) for m in read_po(handle) if m.id})
    return messages


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _keys_used_in_code() -> set[str]:
    keys: set[str] = set()
    for path in [*ROOT.glob("handlers/**/*.py"), *ROOT.glob("bot/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in KEYED_CALLS:
                continue
            keys.update(
                argument.value
                for argument in node.args
                if isinstance(argument, ast.Constant)
                and isinstance(argument.value, str)
                and KEY.match(argument.value)
            )
    return keys


def test_every_locale_has_every_message_with_the_same_placeholders() -> None:
    english = _messages("en")
    for locale in SUPPORTED_LOCALES:
        messages = _messages(locale)
        assert set(messages) == set(english), locale
        for key, text in messages.items():
            assert text, f"{locale}: {key} is empty"
            assert _fields(text) == _fields(english[key]), f"{locale}: {key} placeholders differ"


def test_every_key_the_code_uses_is_in_the_catalog() -> None:
    used = _keys_used_in_code()
    assert len(used) > 20, "the scan found too few keys to be trusted"
    missing = used - set(_messages("en"))
    assert not missing


def test_every_choice_has_a_label_in_every_language() -> None:
    keys = (
        [f"urgency.{u}" for u in Urgency]
        + [f"category.{c}" for c in Category]
        + [f"contact.{c}" for c in Contact]
        + [f"language.{lang}" for lang in Language]
        + [f"offer.intro.{tier}" for tier in Tier]
        + [f"ack.status.{u}" for u in Urgency]
        + [f"connected.named.{c}" for c in Contact]
        + [f"accepted.peer.contact.{c}" for c in Contact]
        + [f"alert.status.{s}" for s in ("accepted", "closed", "withdrawn")]
        + [f"ended.{s}" for s in ("closed", "withdrawn")]
        + [f"intake.error.{field}" for field in IntakeForm.model_fields]
        + [f"offer.{reason}" for reason in ("taken", "withdrawn", "moved_on", "declined")]
    )
    for locale in SUPPORTED_LOCALES:
        messages = _messages(locale)
        assert [key for key in keys if key not in messages] == [], locale


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [(("es-ES", "en"), "es"), (("pt-BR", "es"), "es"), ((None, "fr"), "en"), (("en_GB",), "en")],
)
def test_locale_is_the_persons_then_the_organisations(
    candidates: tuple[str | None, ...], expected: str
) -> None:
    assert pick_locale(*candidates) == expected


def test_unknown_keys_fail_loudly() -> None:
    with pytest.raises(KeyError):
        t("en", "no.such.message")
