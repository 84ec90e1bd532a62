"""Platform-neutral `Message` objects as Slack Block Kit."""

from __future__ import annotations

from typing import Any

from handlers.core.ports import Button, Message

MAX_SECTION_TEXT = 3000
MAX_BUTTONS_PER_ACTIONS_BLOCK = 5
# The block that holds a message's crisis lines: a click on a message that has one is answered
# with a new message, never by replacing it (see `holds_crisis_lines`).
CRISIS_BLOCK = "crisis"


MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
# the longest entity `_escape` writes (`&amp;`): a cut is never made inside one
LONGEST_ENTITY = len("&amp;")


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def split_text(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """`text` (already escaped) in pieces of at most `limit` characters, every word kept: cut at
    the last line break, else the last space, before the limit, and never inside an entity."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:  # one long word: cut it, but not inside `&amp;`
            cut = limit
            entity = text.rfind("&", cut - LONGEST_ENTITY + 1, cut)
            if entity > 0 and ";" not in text[entity:cut]:
                cut = entity
        pieces.append(text[:cut])
        # the line break or space cut at goes (the pieces are shown apart)
        text = text[cut + 1 :] if text[cut : cut + 1] in ("\n", " ") else text[cut:]
    return [piece for piece in [*pieces, text] if piece.strip()]


def _sections(text: str) -> list[dict[str, Any]]:
    """A text as sections: one, or several when it is longer than a section holds."""
    return [{"type": "section", "text": _mrkdwn(piece)} for piece in split_text(text)]


def _escape(text: str) -> str:
    """Slack's control characters, so a relayed or typed text can never become a mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fallback_text(message: Message) -> str:
    """The notification and screen-reader text Slack shows with the blocks."""
    return message.title or (message.lines[0] if message.lines else message.kind)


def _crisis_block(message: Message) -> list[dict[str, Any]]:
    if not message.crisis:
        return []
    heading, *entries = message.crisis
    text = "\n".join([f"*{_escape(heading)}*", *(_escape(entry) for entry in entries)])
    return [{"type": "section", "block_id": CRISIS_BLOCK, "text": _mrkdwn(text)}]


def holds_crisis_lines(blocks: Any) -> bool:
    """Whether a message's blocks (as a click payload carries them) show crisis lines."""
    return isinstance(blocks, list) and any(
        isinstance(block, dict) and block.get("block_id") == CRISIS_BLOCK for block in blocks
    )


def _fields(message: Message) -> list[dict[str, Any]]:
    """The fields two by two, ten to a section; one too long for a field (the names of a large
    tier on call) becomes sections of its own, so nothing is cut."""
    blocks: list[dict[str, Any]] = []
    short: list[dict[str, str]] = []
    for label, value in message.fields:
        text = f"*{_escape(label)}*\n{_escape(value)}"
        if len(text) <= MAX_FIELD_TEXT:
            short.append(_mrkdwn(text))
        else:
            blocks += _sections(text)
    rows = [
        {"type": "section", "fields": short[start : start + MAX_FIELDS]}
        for start in range(0, len(short), MAX_FIELDS)
    ]
    return rows + blocks


def _button(index: int, button: Button) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": f"{button.action}#{index}",
        "text": {"type": "plain_text", "text": button.label[:75]},
        "value": button.value or "-",
        **({"style": button.style} if button.style else {}),
    }


def _action_rows(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"type": "actions", "elements": buttons[start : start + MAX_BUTTONS_PER_ACTIONS_BLOCK]}
        for start in range(0, len(buttons), MAX_BUTTONS_PER_ACTIONS_BLOCK)
    ]


def blocks_of(message: Message) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if message.title:
        blocks.append(
            {"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}}
        )
    if message.crisis_first:
        blocks += _crisis_block(message)
    buttons = [_button(index, button) for index, button in enumerate(message.buttons)]
    for index, line in enumerate(message.lines):
        blocks += _sections(_escape(line))
        answers = [
            b for b, of in zip(buttons, message.buttons, strict=True) if of.answers_line == index
        ]
        blocks += _action_rows(answers)
    if message.status:
        blocks += _sections(f"*{_escape(message.status)}*")
    if not message.crisis_first:
        blocks += _crisis_block(message)
    if message.contact is not None and message.contact.platform == "slack":
        blocks.append({"type": "section", "text": _mrkdwn(f"<@{message.contact.user_id}>")})
    blocks += _fields(message)
    blocks += _action_rows(
        [b for b, of in zip(buttons, message.buttons, strict=True) if of.answers_line is None]
    )
    if message.footer:
        blocks.append({"type": "context", "elements": [_mrkdwn(_escape(message.footer))]})
    return blocks


def action_of(action_id: str) -> str:
    """The core's action name from a Slack action id (`offer.accept#0`)."""
    return action_id.split("#", 1)[0]


def home_view(messages: list[Message]) -> dict[str, Any]:
    """An App Home made of several messages, a divider between each."""
    blocks: list[dict[str, Any]] = []
    for message in messages:
        if blocks:
            blocks.append({"type": "divider"})
        blocks += blocks_of(message)
    return {"type": "home", "blocks": blocks}
