"""Block Kit as Slack checks it: a surface the fake Slack is sent is refused, as Slack refuses it
(`invalid_blocks`), when `slack_sdk.models` or Slack's documented limits that it does not check
fault it (an empty text, a `fields` entry over 2,000 characters, more than 100 options, a
button's value over 2,000, a block id used twice, more than 50 blocks in a message)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
# (what, where the limit applies, the most characters), from Slack's Block Kit reference
TEXT_LIMITS = {
    "section.text": 3000,
    "section.fields": 2000,
    "context.elements": 3000,
    "header.text": 150,
    "button.text": 75,
    "option.text": 75,
    "option.description": 75,
    "input.label": 2000,
    "input.hint": 2000,
    "placeholder": 150,
}
VALUE_LIMITS = {"button": 2000, "option": 150}
MAX_OPTIONS = 100
MAX_FIELDS = 10
MAX_CONTEXT_ELEMENTS = 10
MAX_ID = 255
SELECTS_WITH_OPTIONS = {"static_select", "multi_static_select"}


def _text_of(node: Any) -> str | None:
    if isinstance(node, dict) and node.get("type") in ("plain_text", "mrkdwn"):
        text = node.get("text")
        return text if isinstance(text, str) else ""
    return None


def _texts(block: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(limit name, text) of each text object of `block` that Slack limits."""
    kind = block.get("type")
    if kind == "section":
        if (text := _text_of(block.get("text"))) is not None:
            yield "section.text", text
        for field in block.get("fields") or []:
            yield "section.fields", _text_of(field) or ""
    elif kind == "context":
        for element in block.get("elements") or []:
            if (text := _text_of(element)) is not None:
                yield "context.elements", text
    elif kind == "header":
        yield "header.text", _text_of(block.get("text")) or ""
    elif kind == "input":
        yield "input.label", _text_of(block.get("label")) or ""
        if (hint := _text_of(block.get("hint"))) is not None:
            yield "input.hint", hint


def _elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    found = [e for e in block.get("elements") or [] if isinstance(e, dict)]
    for key in ("element", "accessory"):
        if isinstance(block.get(key), dict):
            found.append(block[key])
    return found


def _element_problems(where: str, element: dict[str, Any]) -> Iterator[str]:
    kind = element.get("type")
    if len(str(element.get("action_id", ""))) > MAX_ID:
        yield f"{where}: action_id over {MAX_ID} characters"
    if (placeholder := _text_of(element.get("placeholder"))) is not None and len(
        placeholder
    ) > TEXT_LIMITS["placeholder"]:
        yield f"{where}: placeholder over {TEXT_LIMITS['placeholder']} characters"
    if kind == "button":
        label = _text_of(element.get("text")) or ""
        if not label or len(label) > TEXT_LIMITS["button.text"]:
            yield f"{where}: a button's text must be 1 to {TEXT_LIMITS['button.text']} characters"
        if len(str(element.get("value", ""))) > VALUE_LIMITS["button"]:
            yield f"{where}: a button's value over {VALUE_LIMITS['button']} characters"
    options = element.get("options")
    if (
        kind in SELECTS_WITH_OPTIONS
        and not element.get("option_groups")
        and (not options or len(options) > MAX_OPTIONS)
    ):
        yield f"{where}: a {kind} needs 1 to {MAX_OPTIONS} options"
    for option in options or []:
        yield from _option_problems(where, option)


def _option_problems(where: str, option: dict[str, Any]) -> Iterator[str]:
    text = _text_of(option.get("text")) or ""
    if not text or len(text) > TEXT_LIMITS["option.text"]:
        yield f"{where}: an option's text must be 1 to {TEXT_LIMITS['option.text']} characters"
    if not option.get("value") or len(str(option["value"])) > VALUE_LIMITS["option"]:
        yield f"{where}: an option's value must be 1 to {VALUE_LIMITS['option']} characters"
    description = _text_of(option.get("description"))
    if description is not None and len(description) > TEXT_LIMITS["option.description"]:
        yield f"{where}: an option's description over 75 characters"


def _block_problems(where: str, block: dict[str, Any]) -> Iterator[str]:
    try:
        parsed = Block.parse(block)
        if parsed is None:
            yield f"{where}: unknown block type {block.get('type')!r}"
            return
        parsed.validate_json()
    except (SlackObjectFormationError, TypeError, ValueError) as error:
        yield f"{where}: {error}"
    for limit, text in _texts(block):
        if not text.strip():
            yield f"{where}: empty text in {limit}"
        elif len(text) > TEXT_LIMITS[limit]:
            yield f"{where}: {limit} over {TEXT_LIMITS[limit]} characters ({len(text)})"
    if len(block.get("fields") or []) > MAX_FIELDS:
        yield f"{where}: more than {MAX_FIELDS} fields"
    if block.get("type") == "context" and len(block.get("elements") or []) > MAX_CONTEXT_ELEMENTS:
        yield f"{where}: more than {MAX_CONTEXT_ELEMENTS} context elements"
    action_ids = [e.get("action_id") for e in _elements(block) if e.get("action_id")]
    if len(action_ids) != len(set(action_ids)):
        yield f"{where}: an action_id used twice in one block"
    for index, element in enumerate(_elements(block)):
        yield from _element_problems(f"{where}/element {index}", element)


def blocks_problems(blocks: Any, *, most: int = MAX_MESSAGE_BLOCKS) -> list[str]:
    """What Slack would refuse in a list of blocks (a message's, or a view's with `most`)."""
    if blocks in (None, []):
        return []
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        return ["blocks must be a list of objects"]
    problems: list[str] = []
    if len(blocks) > most:
        problems.append(f"more than {most} blocks ({len(blocks)})")
    block_ids = [b["block_id"] for b in blocks if b.get("block_id")]
    if len(block_ids) != len(set(block_ids)):
        problems.append("a block_id used twice")
    if any(len(str(block_id)) > MAX_ID for block_id in block_ids):
        problems.append(f"a block_id over {MAX_ID} characters")
    for index, block in enumerate(blocks):
        problems += _block_problems(f"block {index} ({block.get('type')})", block)
    return problems


def view_problems(view: Any) -> list[str]:
    """What Slack would refuse in a modal or Home view."""
    if not isinstance(view, dict):
        return ["view must be an object"]
    problems: list[str] = []
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError, ValueError) as error:
        problems.append(f"view: {error}")
    if len(str(view.get("private_metadata") or "")) > 3000:
        problems.append("view: private_metadata over 3000 characters")
    return problems + blocks_problems(view.get("blocks"), most=MAX_VIEW_BLOCKS)


VIEW_METHODS = ("views.open", "views.push", "views.update", "views.publish")
MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral")


def _decoded(value: Any) -> Any:
    """A form-encoded call carries its blocks or view as JSON text."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def surface_problems(method: str, params: dict[str, Any]) -> list[str]:
    """What Slack would refuse in the blocks or the view of a Web API call."""
    if method in MESSAGE_METHODS:
        return blocks_problems(_decoded(params.get("blocks")))
    if method in VIEW_METHODS:
        return view_problems(_decoded(params.get("view")))
    return []


def refusal(method: str, problems: list[str]) -> dict[str, Any]:
    """Slack's answer to a call it refuses: `invalid_blocks` for a message, `invalid_arguments`
    for a view, with what was wrong."""
    if method in VIEW_METHODS:
        return {
            "ok": False,
            "error": "invalid_arguments",
            "response_metadata": {"messages": problems},
        }
    return {"ok": False, "error": "invalid_blocks", "errors": problems}
