"""The Teams-only messages of the personal chat: help, welcome, form received, no relay."""

from __future__ import annotations

from handlers.i18n import t
from handlers.notices import ASK_AGAIN
from handlers.ports import Button, Message


def start_button(locale: str) -> Button:
    return Button(action=ASK_AGAIN, label=t(locale, "button.start"), value="", style="primary")


def help_message(locale: str) -> Message:
    return Message(
        kind="help",
        title=t(locale, "help.title"),
        lines=[t(locale, "help.what"), t(locale, "help.confidential"), t(locale, "help.limits")],
        buttons=[start_button(locale)],
        footer=t(locale, "teams.help.commands"),
    )


def welcome(locale: str) -> Message:
    return Message(
        kind="welcome",
        title=t(locale, "teams.welcome.title"),
        lines=[t(locale, "start.prompt"), t(locale, "help.confidential")],
        buttons=[start_button(locale)],
        footer=t(locale, "teams.help.commands"),
    )


def received(locale: str) -> Message:
    """Replaces the sent form; the acknowledgement itself follows as its own message."""
    return Message(
        kind="intake.received",
        title=t(locale, "teams.intake.received.title"),
        lines=[t(locale, "teams.intake.received")],
    )


def no_relay(locale: str) -> Message:
    return Message(
        kind="relay.none", lines=[t(locale, "relay.none")], buttons=[start_button(locale)]
    )


def unknown_action(locale: str) -> Message:
    return Message(kind="notice", lines=[t(locale, "teams.action.unknown")])
