"""The coordinator's roster modals: the menu (two-week schedule and what to do), the small forms
it opens, reading what they held, and the answer they turn into."""

from __future__ import annotations

import re
from typing import Any

from bot.slack.blocks import blocks_of
from handlers.core.i18n import t
from handlers.core.languages import Language
from handlers.core.ports import Message
from handlers.reach_in.form import NOTE_MAX_LENGTH, RECORD_EVENT, UNITS_MAX_LENGTH
from handlers.reach_in.group import (
    GROUP_SESSION,
    MAX_MINUTES,
    PLACE_MAX_LENGTH,
    EventChoice,
    FacilitatorChoice,
)
from handlers.roster.desk import RosterEntry
from handlers.roster.forms import (
    MAX_CASELOAD_CAP,
    MAX_SHIFT_HOURS,
    ROTATION_NAME_MAX_LENGTH,
    UNIT_MAX_LENGTH,
)
from handlers.support.intake import Category
from models import TIER_ORDER

MENU_CALLBACK = "admin.menu"
FORMS = ("add_peer", "remove_peer", "add_rotation", "add_override", RECORD_EVENT, GROUP_SESSION)
# The menu's buttons (`admin:add_peer`) and the forms' callback ids (`admin.add_peer`). The
# colon keeps the buttons out of the core's button pattern, which the support flow listens to.
FORM_BUTTON = re.compile(rf"^admin:({'|'.join(FORMS)})$")
FORM_CALLBACK = re.compile(rf"^admin\.({'|'.join(FORMS)})$")
MAX_OPTIONS = 100  # Slack's limit for a static select, and for the options a search returns
# The pickers of people on the roster (their action ids): a roster longer than a static select
# holds is searched as the coordinator types (external_select, answered by `SlackAdmin`).
PEER_PICKERS = ("peer", "peers")


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


def form_view(
    locale: str,
    form: str,
    roster: list[RosterEntry],
    group: tuple[list[EventChoice], list[FacilitatorChoice]] | None = None,
) -> dict[str, Any]:
    if form == GROUP_SESSION:
        events, facilitators = group or ([], [])
        if not events or not facilitators:  # nothing to choose from: say so, no submit
            return done_view(locale, Message(kind="group.none", lines=[t(locale, "group.none")]))
        blocks = _group_session_blocks(locale, events, facilitators)
    elif form == "add_peer":
        blocks = _add_peer_blocks(locale)
    elif form == RECORD_EVENT:
        blocks = _record_event_blocks(locale)
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


def peer_option(locale: str, entry: RosterEntry) -> dict[str, Any]:
    return _option(f"{entry.name} ({t(locale, f'tier.{entry.tier}')})", str(entry.peer_id))


def _peer_select(locale: str, roster: list[RosterEntry], *, multi: bool = False) -> dict[str, Any]:
    """Everyone on the roster to pick from; past Slack's 100 options, a search by name (Slack
    asks the bot for the options as the coordinator types, from the first letter)."""
    if len(roster) > MAX_OPTIONS:
        return {
            "type": "multi_external_select" if multi else "external_select",
            "min_query_length": 0,
            "placeholder": _text(t(locale, "admin.search_peer", count=len(roster))),
        }
    options = [peer_option(locale, entry) for entry in roster]
    return {"type": "multi_static_select" if multi else "static_select", "options": options}


def _add_rotation_blocks(locale: str, roster: list[RosterEntry]) -> list[dict[str, Any]]:
    tiers = [_option(_tier_label(locale, tier.value), tier.value) for tier in TIER_ORDER]
    members = _peer_select(locale, roster, multi=True)
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
        _input(locale, "peers", members),
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


def _record_event_blocks(locale: str) -> list[dict[str, Any]]:
    """A serious event: its day, kind, units and a note for coordinators, and the colleagues
    involved, who each get a private offer of support."""
    categories = [_option(t(locale, f"category.{item.value}"), item.value) for item in Category]
    return [
        {"type": "context", "elements": [_text(t(locale, "admin.hint.record_event"), 2000)]},
        _input(locale, "occurred_on", {"type": "datepicker"}),
        _input(locale, "category", {"type": "static_select", "options": categories}),
        _input(
            locale,
            "units",
            {"type": "plain_text_input", "max_length": UNITS_MAX_LENGTH},
            optional=True,
        ),
        _input(
            locale,
            "note",
            {"type": "plain_text_input", "multiline": True, "max_length": NOTE_MAX_LENGTH},
            optional=True,
        ),
        _input(locale, "people", {"type": "multi_users_select"}),
    ]


def _group_session_blocks(
    locale: str, events: list[EventChoice], facilitators: list[FacilitatorChoice]
) -> list[dict[str, Any]]:
    event_options = [_option(item.label, str(item.event_id)) for item in events[:MAX_OPTIONS]]
    facilitator_options = [
        _option(item.label, str(item.peer_id)) for item in facilitators[:MAX_OPTIONS]
    ]
    return [
        {"type": "context", "elements": [_text(t(locale, "admin.hint.group_session"), 2000)]},
        _input(
            locale,
            "event",
            {"type": "static_select", "options": event_options, "initial_option": event_options[0]},
        ),
        _input(locale, "starts_at", {"type": "datetimepicker"}),
        _input(
            locale,
            "minutes",
            {
                "type": "number_input",
                "is_decimal_allowed": False,
                "min_value": "15",
                "max_value": str(MAX_MINUTES),
                "initial_value": "60",
            },
        ),
        _input(locale, "place", {"type": "plain_text_input", "max_length": PLACE_MAX_LENGTH}),
        _input(locale, "facilitator", {"type": "static_select", "options": facilitator_options}),
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
    if "selected_users" in element:
        return [str(user) for user in element["selected_users"] or []]
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
