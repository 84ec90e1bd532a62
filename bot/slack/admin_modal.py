"""The coordinator's roster modals: the menu (two-week schedule and what to do), the small forms
it opens, reading what they held, and the answer they turn into."""

from __future__ import annotations

import re
from typing import Any

from bot.slack.blocks import blocks_of
from handlers.core.i18n import t
from handlers.core.languages import Language
from handlers.core.ports import Message
from handlers.roster.desk import RosterEntry
from handlers.roster.forms import (
    MAX_CASELOAD_CAP,
    MAX_SHIFT_HOURS,
    ROTATION_NAME_MAX_LENGTH,
    UNIT_MAX_LENGTH,
)
from models import TIER_ORDER

MENU_CALLBACK = "admin.menu"
FORMS = ("add_peer", "remove_peer", "add_rotation", "add_override")
# The menu's buttons (`admin:add_peer`) and the forms' callback ids (`admin.add_peer`). The
# colon keeps the buttons out of the core's button pattern, which the support flow listens to.
FORM_BUTTON = re.compile(rf"^admin:({'|'.join(FORMS)})$")
FORM_CALLBACK = re.compile(rf"^admin\.({'|'.join(FORMS)})$")
MAX_OPTIONS = 100  # Slack's limit for a static select


def _text(text: str, limit: int = 150) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit]}


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _text(label, 75), "value": value}


def _input(
    locale: str, field: str, element: dict[str, Any], *, optional: bool = False
) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": field,
        "optional": optional,
        "label": _text(t(locale, f"admin.field.{field}")),
        "element": {"action_id": field, **element},
    }


def _modal(
    locale: str, callback_id: str, blocks: list[dict[str, Any]], *, close: str = "admin.back"
) -> dict[str, Any]:
    """A roster modal; the menu at the bottom of the stack closes, the forms above go back."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": locale,
        "title": _text(t(locale, "admin.title"), 24),
        "close": _text(t(locale, close)),
        "blocks": blocks,
    }


def menu_view(locale: str, schedule: Message) -> dict[str, Any]:
    """What `/support admin` opens: the three forms, then who is on call. (The roster to pick
    from is never empty: the coordinator is on it.)"""
    buttons = [
        {
            "type": "button",
            "action_id": f"admin:{form}",
            "text": _text(t(locale, f"admin.action.{form}"), 75),
            "value": form,
        }
        for form in FORMS
    ]
    intro = {"type": "section", "text": {"type": "mrkdwn", "text": t(locale, "admin.intro")}}
    return _modal(
        locale,
        MENU_CALLBACK,
        [intro, {"type": "actions", "elements": buttons}, {"type": "divider"}]
        + blocks_of(schedule),
        close="admin.close",
    )


def form_view(locale: str, form: str, roster: list[RosterEntry]) -> dict[str, Any]:
    if form == "add_peer":
        blocks = _add_peer_blocks(locale)
    elif form == "add_rotation":
        blocks = _add_rotation_blocks(locale, roster)
    else:
        peers = _input(locale, "peer", _peer_select(locale, roster))
        hint = {"type": "context", "elements": [_text(t(locale, f"admin.hint.{form}"))]}
        blocks = [peers, hint]
        if form == "add_override":
            blocks[1:1] = [
                _input(locale, "starts_at", {"type": "datetimepicker"}),
                _input(locale, "ends_at", {"type": "datetimepicker"}),
            ]
    view = _modal(locale, f"admin.{form}", blocks)
    view["submit"] = _text(t(locale, f"admin.submit.{form}"))
    return view


def _tier_label(locale: str, tier: str) -> str:
    return t(locale, f"tier.{tier}").capitalize()


def _peer_select(locale: str, roster: list[RosterEntry]) -> dict[str, Any]:
    options = [
        _option(f"{entry.name} ({t(locale, f'tier.{entry.tier}')})", str(entry.peer_id))
        for entry in roster[:MAX_OPTIONS]
    ]
    return {"type": "static_select", "options": options}


def _add_rotation_blocks(locale: str, roster: list[RosterEntry]) -> list[dict[str, Any]]:
    tiers = [_option(_tier_label(locale, tier.value), tier.value) for tier in TIER_ORDER]
    members = _peer_select(locale, roster)
    return [
        _input(
            locale,
            "name",
            {"type": "plain_text_input", "max_length": ROTATION_NAME_MAX_LENGTH},
        ),
        _input(
            locale,
            "tier",
            {"type": "static_select", "options": tiers, "initial_option": tiers[0]},
        ),
        _input(locale, "peers", {**members, "type": "multi_static_select"}),
        _input(locale, "starts_on", {"type": "datepicker"}),
        _input(locale, "handoff", {"type": "timepicker", "initial_time": "08:00"}),
        _input(
            locale,
            "hours",
            {
                "type": "number_input",
                "is_decimal_allowed": False,
                "min_value": "1",
                "max_value": str(MAX_SHIFT_HOURS),
                "initial_value": "24",
            },
        ),
        {"type": "context", "elements": [_text(t(locale, "admin.hint.add_rotation"), 2000)]},
    ]


def _add_peer_blocks(locale: str) -> list[dict[str, Any]]:
    tiers = [_option(_tier_label(locale, tier.value), tier.value) for tier in TIER_ORDER]
    languages = [_option(t(locale, f"language.{lang.value}"), lang.value) for lang in Language]
    own = next((o for o in languages if o["value"] == locale), languages[0])
    return [
        _input(locale, "user", {"type": "users_select"}),
        _input(
            locale,
            "tier",
            {"type": "static_select", "options": tiers, "initial_option": tiers[0]},
        ),
        _input(
            locale,
            "unit",
            {"type": "plain_text_input", "max_length": UNIT_MAX_LENGTH},
            optional=True,
        ),
        _input(
            locale,
            "languages",
            {"type": "multi_static_select", "options": languages, "initial_options": [own]},
        ),
        _input(
            locale,
            "cap",
            {
                "type": "number_input",
                "is_decimal_allowed": False,
                "min_value": "1",
                "max_value": str(MAX_CASELOAD_CAP),
                "initial_value": "2",
            },
        ),
        _input(locale, "trained_until", {"type": "datepicker"}, optional=True),
    ]


def answers_of(view: dict[str, Any]) -> dict[str, Any]:
    """Each block's answer: a string (or None), or a list of strings for a multi-select."""
    answers: dict[str, Any] = {}
    for block_id, elements in ((view.get("state") or {}).get("values") or {}).items():
        element = next(iter(elements.values()), None) or {}
        answers[block_id] = _value(element)
    return answers


def _value(element: dict[str, Any]) -> str | list[str] | None:
    if "selected_options" in element:
        return [str(option.get("value")) for option in element["selected_options"] or []]
    option = element.get("selected_option")
    if isinstance(option, dict):
        return str(option.get("value"))
    for key in ("selected_user", "selected_date", "selected_time", "selected_date_time", "value"):
        if element.get(key) is not None:
            return str(element[key])
    return None


def done_view(locale: str, message: Message) -> dict[str, Any]:
    """What a submitted form turns into: the answer, and a way back to the menu."""
    return {
        "type": "modal",
        "title": _text(t(locale, "admin.title"), 24),
        "close": _text(t(locale, "admin.back")),
        "blocks": blocks_of(message),
    }
