"""Render a platform-neutral `Message` as an Adaptive Card (v1.4, Universal Actions).

Every button becomes an `Action.Execute` whose verb is the button's action id and whose data
carries the button's value: Teams answers a click with an `adaptiveCard/action` invoke, and the
card the bot returns replaces the clicked one in place.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import CardFactory
from botbuilder.schema import Activity, ActivityTypes, Attachment

from handlers.ports import Button, Message

CARD_VERSION = "1.4"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
BUTTON_STYLES = {"primary": "positive", "danger": "destructive"}


def text_block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def execute_action(button: Button) -> dict[str, Any]:
    action: dict[str, Any] = {
        "type": "Action.Execute",
        "title": button.label,
        "verb": button.action,
        "data": {"value": button.value},
    }
    if button.style:
        action["style"] = BUTTON_STYLES[button.style]
    return action


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


def message_card(message: Message) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    if message.title:
        body.append(text_block(message.title, weight="Bolder", size="Medium"))
    body += [text_block(line) for line in message.lines]
    if message.fields:
        facts = [{"title": label, "value": value} for label, value in message.fields]
        body.append({"type": "FactSet", "facts": facts})
    if message.footer:
        body.append(text_block(message.footer, isSubtle=True, size="Small"))
    return adaptive_card(body, [execute_action(button) for button in message.buttons])


def card_attachment(card: dict[str, Any]) -> Attachment:
    return CardFactory.adaptive_card(card)


def card_activity(card: dict[str, Any]) -> Activity:
    """A message activity carrying one card (nothing else: the card is the whole message)."""
    return Activity(type=ActivityTypes.message, attachments=[card_attachment(card)])
