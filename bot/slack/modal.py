"""The intake form as a Slack modal: building it, reading a submission, showing the result."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from bot.slack.blocks import blocks_of
from handlers.core.i18n import t
from handlers.core.languages import Language
from handlers.core.notices import platform_caveat
from handlers.core.ports import Message
from handlers.support.intake import (
    NOTE_MAX_LENGTH,
    NUMBER_MAX_LENGTH,
    UNIT_MAX_LENGTH,
    Category,
    Contact,
    Urgency,
)

INTAKE_CALLBACK = "intake"
# IntakeForm fields shown inside another block of the modal.
BLOCK_OF_FIELD = {"anonymous": "options", "exclude_own_unit": "options", "form": "urgency"}


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150]}


def _text_long(text: str) -> dict[str, Any]:
    """A hint: Slack allows 2,000 characters there."""
    return {"type": "plain_text", "text": text[:2000]}


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": label[:75]}, "value": value}


def _select(locale: str, field: str, values: list[str], initial: str | None) -> dict[str, Any]:
    options = [_option(t(locale, f"{field}.{value}"), value) for value in values]
    element: dict[str, Any] = {"type": "static_select", "action_id": field, "options": options}
    if initial is not None:
        element["initial_option"] = next(o for o in options if o["value"] == initial)
    return {
        "type": "input",
        "block_id": field,
        "label": _text(t(locale, f"form.{field}")),
        "element": element,
    }


def intake_view(locale: str, prefill: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The intake form in `locale`; `prefill` fills it in (as a case it follows), to be checked
    and sent. The empty form is built once per language and kept (`/support` opens it without a
    catalog lookup): the same dict goes to every caller, to read, never to change."""
    return _build_intake(locale, prefill) if prefill else _empty_intake(locale)


@lru_cache(maxsize=16)
def _empty_intake(locale: str) -> dict[str, Any]:
    return _build_intake(locale, None)


def _build_intake(locale: str, prefill: Mapping[str, str] | None) -> dict[str, Any]:
    given = prefill or {}
    language = locale if locale in {item.value for item in Language} else Language.EN.value
    view = {
        "type": "modal",
        "callback_id": INTAKE_CALLBACK,
        "private_metadata": locale,
        "title": _text(t(locale, "form.title")),
        "submit": _text(t(locale, "form.submit")),
        "close": _text(t(locale, "form.cancel")),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": t(locale, "form.intro")}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": platform_caveat(locale, "slack")}],
            },
            _select(locale, "urgency", [u.value for u in Urgency], given.get("urgency")),
            _select(locale, "category", [c.value for c in Category], given.get("category")),
            _select(locale, "contact", [c.value for c in Contact], given.get("contact")),
            _select(
                locale,
                "language",
                [lang.value for lang in Language],
                given.get("language", language),
            ),
            {
                "type": "input",
                "block_id": "options",
                "optional": True,
                "label": _text(t(locale, "form.options")),
                "hint": _text_long(t(locale, "form.options_hint")),
                "element": {
                    "type": "checkboxes",
                    "action_id": "options",
                    "options": [
                        _option(t(locale, "form.anonymous"), "anonymous"),
                        _option(t(locale, "form.exclude_unit"), "exclude_own_unit"),
                    ],
                },
            },
            {
                "type": "input",
                "block_id": "unit",
                "optional": True,
                "label": _text(t(locale, "form.unit")),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "unit",
                    "max_length": UNIT_MAX_LENGTH,
                },
            },
            {
                "type": "input",
                "block_id": "phone",
                "optional": True,
                "label": _text(t(locale, "form.phone")),
                "hint": _text(t(locale, "form.phone_hint")),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "phone",
                    "max_length": NUMBER_MAX_LENGTH,
                },
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": _text(t(locale, "form.note")),
                "hint": _text(t(locale, "form.note_hint", note_max=NOTE_MAX_LENGTH)),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "note",
                    "multiline": True,
                    "max_length": NOTE_MAX_LENGTH,
                },
            },
            {
                "type": "input",
                "block_id": "crisis",
                "optional": True,
                "label": _text(t(locale, "form.crisis_label")),
                "element": {
                    "type": "checkboxes",
                    "action_id": "crisis",
                    "options": [_option(t(locale, "form.crisis"), "crisis")],
                },
            },
        ],
    }
    if given.get("anonymous") == "true":
        [options] = [block for block in view["blocks"] if block.get("block_id") == "options"]
        anonymous = options["element"]["options"][0]
        options["element"]["initial_options"] = [anonymous]
    return view


def answers_of(view: dict[str, Any]) -> dict[str, Any]:
    """A submitted modal's values as the intake form's fields (validated by the core)."""
    values = (view.get("state") or {}).get("values") or {}

    def element(block: str) -> dict[str, Any]:
        found = values.get(block) or {}
        return found.get(block) or {}

    def selected(block: str) -> str | None:
        option = element(block).get("selected_option")
        return option.get("value") if isinstance(option, dict) else None

    def ticked(block: str) -> set[str]:
        return {option.get("value") for option in element(block).get("selected_options") or []}

    options = ticked("options")
    return {
        "urgency": selected("urgency"),
        "category": selected("category"),
        "contact": selected("contact"),
        "language": selected("language") or Language.EN.value,
        "anonymous": "anonymous" in options,
        "exclude_own_unit": "exclude_own_unit" in options,
        "unit": element("unit").get("value"),
        "note": element("note").get("value"),
        "phone": element("phone").get("value"),
        "crisis": "crisis" in ticked("crisis"),
    }


def errors_for_blocks(errors: dict[str, str]) -> dict[str, str]:
    """Field errors from the core, keyed by the modal block that shows each field."""
    shown: dict[str, str] = {}
    for field, message in errors.items():
        shown.setdefault(BLOCK_OF_FIELD.get(field, field), message)
    return shown


def result_view(locale: str, message: Message) -> dict[str, Any]:
    """What the modal turns into once submitted: the answer, and a Close button."""
    return {
        "type": "modal",
        "title": _text(t(locale, "form.title")),
        "close": _text(t(locale, "slack.modal.close")),
        "blocks": [block for block in blocks_of(message) if block["type"] != "actions"],
    }
