"""The shapes of the activities we handle, checked before botbuilder reads them.

botbuilder deserializes leniently (a wrong type becomes None, or raises deep in a turn), and
our turn code reads what Teams always sends: so an activity is checked here first, and one of
another shape gets 400 before any turn runs. `bot.payloads` refuses text no database can
store and ids that are none, and removes NUL from free text.
"""

from __future__ import annotations

import json
from typing import Any

from botbuilder.schema import Activity
from msrest.exceptions import DeserializationError

from bot.payloads import Refused, TextRules

ID_MAX = 512  # Teams' conversation and user ids run to a few hundred characters
# Every button is an Action.Execute; a Data.Query typeahead (large rosters) asks for choices.
INVOKES = ("adaptiveCard/action", "application/search")
REQUIRED_OBJECTS = ("conversation", "from", "recipient")
ID_KEYS = frozenset({"id", "type", "locale", "conversationType", "role", "textFormat"})


def _is_id(key: str) -> bool:
    return key in ID_KEYS or key.endswith(("Id", "_id"))


TEXT = TextRules(is_id=_is_id, is_url=lambda key: key.endswith(("Url", "_url")), id_max=ID_MAX)


class BadRequest(Exception):
    """The body is not an activity; the message is safe to return (it names no content)."""


def _text(data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        return f"{key} is missing or not text"
    return None


def _account(data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    """`key` is an account or conversation: an object with a text id."""
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("id"), str) or not value["id"]:
        return f"the activity has no {key}.id"
    problem = next(
        (
            found
            for found in (
                _text(value, name)
                for name in ("name", "aadObjectId", "tenantId", "conversationType", "role")
            )
            if found
        ),
        None,
    )
    return f"{key}.{problem}" if problem else None


def _objects(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        return f"{key} is not a list of objects"
    return None


def _search(value: Any) -> str | None:
    """A typeahead's query: text to look for, a dataset name, and paging numbers."""
    if not isinstance(value, dict):
        return "value is not an object"
    for key in ("queryText", "dataset"):
        if value.get(key) is not None and not isinstance(value[key], str):
            return f"value.{key} is not text"
    options = value.get("queryOptions")
    if options is None:
        return None
    if not isinstance(options, dict):
        return "value.queryOptions is not an object"
    for key in ("skip", "top"):
        number = options.get(key)
        if number is not None and (
            not isinstance(number, int) or isinstance(number, bool) or not 0 <= number <= 10_000
        ):
            return f"value.queryOptions.{key} is not a small whole number"
    return None


def _invoke(data: dict[str, Any]) -> str | None:
    if data.get("name") not in INVOKES:
        return "the bot answers no invoke of that name"
    value = data.get("value")
    if data.get("name") == "application/search":
        return _search(value)
    action = value.get("action") if isinstance(value, dict) else None
    if not isinstance(action, dict):
        return "the invoke has no action"
    if action.get("type") != "Action.Execute":  # botbuilder reads no other
        return "the invoke's action is not an Action.Execute"
    if _text(action, "verb"):
        return "the invoke's action has no verb"
    if action.get("data") is not None and not isinstance(action["data"], dict):
        return "the invoke's action data is not an object"
    return None


def _channel_data(data: dict[str, Any]) -> str | None:
    channel_data = data.get("channelData")
    if channel_data is None:
        return None
    if not isinstance(channel_data, dict):
        return "channelData is not an object"
    tenant = channel_data.get("tenant")
    if tenant is not None and (not isinstance(tenant, dict) or _text(tenant, "id")):
        return "channelData.tenant.id is not text"
    return None


def refusal(data: Any) -> str | None:
    """Why `data` is not an activity we handle, or None."""
    if not isinstance(data, dict):
        return "the body is not an activity object"
    for name in ("type", "serviceUrl", "channelId"):
        if _text(data, name, required=True):
            return f"the activity has no {name}"
    if not data["serviceUrl"].startswith(("https://", "http://")):
        return "the activity's serviceUrl is not an HTTP URL"
    checks = [_account(data, name, required=True) for name in REQUIRED_OBJECTS]
    checks += [_text(data, name) for name in ("id", "text", "locale", "name", "textFormat")]
    checks += [_objects(data, name) for name in ("membersAdded", "entities", "attachments")]
    checks += [_channel_data(data), _invoke(data) if data["type"] == "invoke" else None]
    checks += [_header_safe(data)]
    return next((problem for problem in checks if problem), None)


def _header_safe(data: dict[str, Any]) -> str | None:
    """Values the reply carries in HTTP headers or its URL must be ASCII ids without leading or
    trailing whitespace (the HTTP client refuses such a header, after the turn has begun)."""
    values = [("locale", data.get("locale")), ("channelId", data.get("channelId"))]
    for name in ("conversation", "from", "recipient"):
        account = data.get(name)
        if isinstance(account, dict):
            identifier = account.get("id")
            if isinstance(identifier, str) and not identifier.isascii():
                return f"{name}.id is not ASCII"  # Teams' ids are; replies carry them as is
            values += [(f"{name}.id", identifier), (f"{name}.name", account.get("name"))]
    for name, value in values:
        if isinstance(value, str) and value and value != value.strip():
            return f"{name} starts or ends with whitespace"
    return None


def parse_activity(body: bytes) -> Activity:
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("the body is not valid JSON") from None
    problem = refusal(data)
    if problem:
        raise BadRequest(problem)
    try:
        return Activity.deserialize(TEXT.cleaned(data))
    except Refused as exc:
        raise BadRequest(str(exc)) from None
    except (DeserializationError, TypeError, ValueError, AttributeError):
        raise BadRequest("the activity could not be read") from None
