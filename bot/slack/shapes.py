"""The shapes of the Slack payloads we handle, checked before Bolt reads them.

Bolt and our listeners index into payloads as Slack sends them (`body["view"]["type"]`,
`body["actions"][0]`, `body["trigger_id"]`): a signed body of another shape would crash them,
and Bolt turns a crash in its own middleware into a 500. So every payload is checked here
first, by kind: what is missing or of the wrong type refuses it, and `bot.payloads` refuses
text no database can store or ids that are none, and removes NUL from free text.
"""

from __future__ import annotations

from typing import Any

from bot.payloads import TextRules

ID_MAX = 128  # Slack's ids are far shorter; event ids are stored in a column of this size

INTERACTIONS = (
    "block_actions",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "block_suggestion",
)
ENVELOPES = ("event_callback", "url_verification", "app_rate_limited")
OBJECTS = ("team", "user", "view", "container", "channel", "message", "event", "enterprise")
# Keys whose string values are ids or names, never what a person wrote.
ID_KEYS = frozenset(
    {
        "id",
        "type",
        "subtype",
        "ts",
        "tab",
        "command",
        "channel",
        "user",
        "team",
        "hash",
        "domain",
        "username",
        "channel_type",
        "callback_id",
    }
)


def _is_id(key: str) -> bool:
    return key in ID_KEYS or key.endswith(("_id", "_ts"))


TEXT = TextRules(is_id=_is_id, is_url=lambda key: key.endswith("_url"), id_max=ID_MAX)
cleaned = TEXT.cleaned


# --- small checks ------------------------------------------------------------------------


def _text(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        return f"{key} is missing or not text"
    return None


def _object(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        return f"{key} is missing or not an object"
    return None


def _with_id(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    """`key` is an object with a text `id` (a user, a team, a channel, a view)."""
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, dict) or _text(value, "id", required=True):
        return f"{key}.id is missing or not text"
    return None


def _url(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        return f"{key} is not an HTTP URL"
    return None


def _first(*problems: str | None) -> str | None:
    return next((problem for problem in problems if problem), None)


# --- by kind -------------------------------------------------------------------------------


def _command(body: dict[str, Any]) -> str | None:
    return _first(
        _text(body, "command", required=True),
        _text(body, "team_id", required=True),
        _text(body, "user_id", required=True),
        _text(body, "trigger_id", required=True),
        _text(body, "channel_id"),
        _text(body, "text"),
        _text(body, "enterprise_id"),
        _url(body, "response_url", required=True),  # the answer to a command goes there
    )


def _view(view: Any, *, required: bool) -> str | None:
    if view is None and not required:
        return None
    if not isinstance(view, dict):
        return "view is missing or not an object"
    problem = _first(
        _text(view, "type", required=True),
        _text(view, "id"),
        _text(view, "callback_id"),
        _text(view, "private_metadata"),
        _object(view, "state"),
    )
    if problem:
        return f"view.{problem}"
    values = (view.get("state") or {}).get("values", {})
    blocks = values.values() if isinstance(values, dict) else None
    if blocks is None or not all(
        isinstance(block, dict) and all(_answer(field) is None for field in block.values())
        for block in blocks
    ):
        return "view.state.values is not a map of blocks to answers"
    return None


def _option(option: Any) -> bool:
    return isinstance(option, dict) and isinstance(option.get("value"), str)


def _answer(element: Any) -> str | None:
    """What is wrong with one input's answer in a submitted view, if anything."""
    if not isinstance(element, dict):
        return "not an object"
    options = element.get("selected_options")
    if "selected_options" in element and not (
        isinstance(options, list) and all(_option(option) for option in options)
    ):
        return "selected_options"
    option = element.get("selected_option")
    if option is not None and not _option(option):
        return "selected_option"
    for key in ("value", "selected_user", "selected_date", "selected_time", "type"):
        if element.get(key) is not None and not isinstance(element[key], str):
            return key
    moment = element.get("selected_date_time")
    if moment is not None and (isinstance(moment, bool) or not isinstance(moment, int)):
        return "selected_date_time"
    return None


def _actions(body: dict[str, Any]) -> str | None:
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        return "actions is missing or empty"
    for action in actions:
        if not isinstance(action, dict):
            return "an action is not an object"
        problem = _first(
            _text(action, "action_id", required=True),
            _text(action, "block_id"),
            _text(action, "value"),
            _text(action, "type"),
        )
        if problem:
            return f"action {problem}"
    return None


def _container(body: dict[str, Any]) -> str | None:
    container = body.get("container")
    if container is None:
        return None
    if not isinstance(container, dict):
        return "container is not an object"
    problem = _first(*(_text(container, key) for key in ("type", "channel_id", "message_ts")))
    return f"container.{problem}" if problem else None


def _message(body: dict[str, Any]) -> str | None:
    message = body.get("message")
    if message is None:
        return None
    if not isinstance(message, dict):
        return "message is not an object"
    blocks = message.get("blocks")
    if blocks is not None and not (
        isinstance(blocks, list) and all(isinstance(block, dict) for block in blocks)
    ):
        return "message.blocks is not a list of blocks"
    problem = _first(_text(message, "ts"), _text(message, "text"))
    return f"message.{problem}" if problem else None


def _interaction(body: dict[str, Any]) -> str | None:
    kind = body["type"]
    team = body.get("team")
    enterprise_wide = team is None and not _with_id(body, "enterprise", required=True)
    return _first(
        _with_id(body, "user", required=True),
        None if enterprise_wide else _with_id(body, "team", required=True),
        _with_id(body, "enterprise"),
        _with_id(body, "channel"),
        _text(body, "api_app_id"),
        _text(body, "trigger_id", required=kind in ("block_actions", "shortcut")),
        _url(body, "response_url"),
        _view(body.get("view"), required=kind in ("view_submission", "view_closed")),
        _actions(body) if kind == "block_actions" else None,
        _container(body),
        _message(body),
        _object(body, "state"),
    )


def _event(event: Any) -> str | None:
    if not isinstance(event, dict):
        return "event is missing or not an object"
    # Someone did it: a person's message (not an edit, not a bot's), or opening the App Home.
    by_someone = event.get("type") == "app_home_opened" or (
        event.get("type") == "message" and not event.get("subtype") and not event.get("bot_id")
    )
    problem = _first(
        _text(event, "type", required=True),
        # a user id in the events we handle; team_join and user_change carry the user object
        _with_id(event, "user", required=by_someone)
        if isinstance(event.get("user"), dict)
        else _text(event, "user", required=by_someone),
        _text(event, "channel", required=by_someone and event.get("type") == "message"),
        _text(event, "text"),
        _text(event, "subtype"),
        _text(event, "ts"),
    )
    return f"event.{problem}" if problem else None


def _envelope(body: dict[str, Any]) -> str | None:
    kind = body["type"]
    if kind == "url_verification":
        return _text(body, "challenge", required=True)
    if kind == "app_rate_limited":
        return None
    authorizations = body.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    ):
        return "authorizations is not a list of objects"
    return _first(
        _text(body, "event_id", required=True),
        _text(body, "team_id", required=True),
        _text(body, "api_app_id"),
        _text(body, "enterprise_id"),
        _event(body.get("event")),
    )


def refusal(body: Any) -> str | None:
    """Why `body` is not a payload we handle, or None."""
    if not isinstance(body, dict) or not body:
        return "the body is not a Slack payload"
    for key in OBJECTS:  # Bolt reads these as objects wherever they appear
        if body.get(key) is not None and not isinstance(body[key], dict):
            return f"{key} is not an object"
    if "command" in body and "type" not in body:
        return _command(body)
    kind = body.get("type")
    if kind in INTERACTIONS:
        return _interaction(body)
    if kind in ENVELOPES:
        return _envelope(body)
    return "the payload is of no kind Slack sends here"


def is_event(body: Any) -> bool:
    """An Events API delivery: Slack retries those until it gets a 200."""
    return isinstance(body, dict) and body.get("type") == "event_callback"
