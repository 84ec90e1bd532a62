"""Render a platform-neutral `Message` as an Adaptive Card (v1.4, Universal Actions).

Every button becomes an `Action.Execute` whose verb is the button's action id and whose data
carries the button's value: Teams answers a click with an `adaptiveCard/action` invoke, and the
card the bot returns replaces the clicked one in place.

A message's `contact` on Teams (the requester shown to the peer who accepted, outside anonymous
mode; the peer shown to the requester) becomes a mention: an `<at>Name</at>` text block and its
`mention` entity under `msteams.entities`, so a click opens a chat with them. A contact on another
platform, or one whose Teams name we do not know, is named in the message's text only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botbuilder.core import CardFactory
from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.teams.activities import PLATFORM
from bot.teams.calendar_link import calendar_action
from handlers.core.ports import Address, Button, Message

CARD_VERSION = "1.4"
# Teams shows this many actions in a row and puts the rest behind "…" (Microsoft's renderer drops
# them): a row never holds more.
MAX_ACTIONS_IN_ROW = 5
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
BUTTON_STYLES = {"primary": "positive", "danger": "destructive"}
KEEP_CARD = "keep"  # in an action's data: answer the click with a new message


def text_block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def execute_action(button: Button, *, keep: bool = False) -> dict[str, Any]:
    """`keep`: the button's card holds crisis lines, so the click's answer comes as a new
    message and the card stays as it is (Teams does not send the clicked card with the click)."""
    data: dict[str, Any] = {"value": button.value}
    if keep:
        data[KEEP_CARD] = True
    action: dict[str, Any] = {
        "type": "Action.Execute",
        "title": button.label,
        "verb": button.action,
        "data": data,
    }
    if button.style:
        action["style"] = BUTTON_STYLES[button.style]
    return action


def action_set(actions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "ActionSet", "actions": actions}


def action_rows(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`actions` as action sets in the body, a row of at most `MAX_ACTIONS_IN_ROW` each."""
    return [
        action_set(actions[start : start + MAX_ACTIONS_IN_ROW])
        for start in range(0, len(actions), MAX_ACTIONS_IN_ROW)
    ]


def adaptive_card(body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def mention_of(contact: Address) -> dict[str, Any] | None:
    """The `mention` entity for a Teams contact whose name their conversation reference gives."""
    if contact.platform != PLATFORM:
        return None
    user = contact.data.get("user")
    user = user if isinstance(user, dict) else {}
    name = user.get("name")
    # nothing in the name may close the tag
    name = name.replace("<", "").replace(">", "").strip() if isinstance(name, str) else ""
    if not name:
        return None
    return {
        "type": "mention",
        "text": f"<at>{name}</at>",
        "mentioned": {"id": user.get("id") or contact.user_id, "name": name},
    }


def _crisis_container(message: Message) -> list[dict[str, Any]]:
    if not message.crisis:
        return []
    heading, *entries = message.crisis
    items = [text_block(heading, weight="Bolder"), *(text_block(entry) for entry in entries)]
    return [{"type": "Container", "style": "emphasis", "items": items}]


def message_card(message: Message) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    if message.title:
        body.append(text_block(message.title, weight="Bolder", size="Medium"))
    if message.crisis_first:
        body += _crisis_container(message)
    keep = bool(message.crisis)
    for index, line in enumerate(message.lines):
        body.append(text_block(line))
        answers = [b for b in message.buttons if b.answers_line == index]
        body += action_rows([execute_action(button, keep=keep) for button in answers])
    if message.status:
        body.append(text_block(message.status, weight="Bolder"))
    if not message.crisis_first:
        body += _crisis_container(message)
    mention = mention_of(message.contact) if message.contact is not None else None
    if mention is not None:
        body.append(text_block(mention["text"]))
    if message.fields:
        facts = [{"title": label, "value": value} for label, value in message.fields]
        body.append({"type": "FactSet", "facts": facts})
    if message.footer:
        body.append(text_block(message.footer, isSubtle=True, size="Small"))
    own = [execute_action(b, keep=keep) for b in message.buttons if b.answers_line is None]
    if message.attachment is not None and (calendar := calendar_action(message.attachment)):
        own.append(calendar)
    if len(own) > MAX_ACTIONS_IN_ROW:  # every one visible: rows of them at the card's end
        body += action_rows(own)
        own = []
    card = adaptive_card(body, own)
    if mention is not None:
        card["msteams"] = {"entities": [mention]}
    return card


def sections_card(messages: Sequence[Message]) -> dict[str, Any]:
    """Several messages as one card, each in its own container set apart by a line, with its
    buttons under it: one reply (one call to the Bot Connector) instead of a message per
    section."""
    cards = [message_card(message) for message in messages]
    body: list[dict[str, Any]] = []
    for card in cards:
        apart = {"separator": True, "spacing": "Large"} if body else {}
        items = card["body"] + action_rows(card.get("actions", []))
        body.append({"type": "Container", "items": items, **apart})
    combined = adaptive_card(body, [])
    entities = [entity for card in cards for entity in card.get("msteams", {}).get("entities", [])]
    if entities:
        combined["msteams"] = {"entities": entities}
    return combined


def card_attachment(card: dict[str, Any]) -> Attachment:
    return CardFactory.adaptive_card(card)


def card_activity(card: dict[str, Any]) -> Activity:
    """A message activity carrying one card (nothing else: the card is the whole message)."""
    return Activity(type=ActivityTypes.message, attachments=[card_attachment(card)])
